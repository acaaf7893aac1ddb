"""The shop's global, customer-independent state: calendar, catalogue, coupons, marketing.

Built once per run from its own RNG stream, then shared (read-only) by all customer chunks.
Days are integer offsets from the start date; money is integer cents.
"""

from dataclasses import dataclass, field
from datetime import date, timedelta

import numpy as np

from . import config as C


def add_months(d: date, months: int) -> date:
    """The date `months` calendar months after d, its day capped at 28."""
    y, m = divmod(d.month - 1 + months, 12)
    return date(d.year + y, m + 1, min(d.day, 28))


@dataclass
class World:
    """The shop's fixed world: its calendar, catalogue and coupons (filled by build_world)."""

    start: date
    end: date
    n_customers: int
    n_days: int = 0
    intensity: np.ndarray = field(init=False)    # daily order intensity, mean 1
    day_cdf: np.ndarray = field(init=False)      # cumulative intensity (for sampling days)
    hour_cdf: np.ndarray = field(init=False)
    late_prob: np.ndarray = field(init=False)    # per day
    spend_cents: np.ndarray = field(init=False)  # (n_days, n_channels)
    # catalogue
    product_names: list = field(default_factory=list)
    product_cat: np.ndarray = field(init=False)  # category index per product
    price_cents: np.ndarray = field(init=False)
    popularity: np.ndarray = field(init=False)  # Zipf weights, before viewed-not-bought suppression
    buy_cdf: dict = field(init=False)            # weight key -> cumulative product weights
    cat_cdf: list = field(init=False)            # per category: (product idx, cumulative weights)
    view_cdf: np.ndarray = field(init=False)
    bundles: list = field(init=False)            # list of product-index arrays
    vnb: np.ndarray = field(init=False)          # viewed-not-bought product indices
    # coupons (last one is the retention offer coupon)
    coupon_codes: list = field(init=False)
    coupon_cat: np.ndarray = field(init=False)   # category index or -1 (any)
    coupon_pct: np.ndarray = field(init=False)   # integer percent
    coupon_from: np.ndarray = field(init=False)  # day offsets (inclusive)
    coupon_to: np.ndarray = field(init=False)
    coupon_valid: np.ndarray = field(init=False)  # (n_days, n_regular_coupons) bool
    retention_day: int | None = None    # offer day; None when the range is too short


def sample_from_cdf(rng, cdf, n):
    """Draw n indices with probabilities given by an (unnormalised) cumulative array."""
    return np.searchsorted(cdf, rng.random(n) * cdf[-1], side="right")


def build_world(start: date, end: date, n_customers: int, rng) -> World:
    """The World of the date range and customer count, drawn with rng."""
    w = World(start=start, end=end, n_customers=n_customers)
    w.n_days = (end - start).days + 1
    _build_calendar(w, rng)
    _build_catalogue(w, rng)
    _build_coupons(w)
    return w


def _build_calendar(w: World, rng):
    days = np.arange(w.n_days)
    dates = np.datetime64(w.start.isoformat()) + days
    month = dates.astype("datetime64[M]").astype(int) % 12        # 0 = January
    dow = (dates.astype("datetime64[D]").astype(int) + 3) % 7     # 0 = Monday (1970-01-01 = Thu)

    # Marketing spend: budget x monthly seasonality x persistent AR(1) campaign noise.
    shares = np.array(list(C.CHANNELS.values()))
    noise = np.empty((w.n_days, len(shares)))
    noise[0] = rng.normal(0, C.SPEND_NOISE_SIGMA, len(shares))
    innov = rng.normal(0, C.SPEND_NOISE_SIGMA * np.sqrt(1 - C.SPEND_NOISE_RHO**2), noise.shape)
    for t in range(1, w.n_days):
        noise[t] = C.SPEND_NOISE_RHO * noise[t - 1] + innov[t]
    budget = C.SPEND_PER_CUSTOMER_PER_DAY * w.n_customers
    spend = (budget * shares[None, :] * np.array(C.SPEND_MONTH_FACTORS)[month][:, None]
             * np.exp(noise - C.SPEND_NOISE_SIGMA**2 / 2))
    w.spend_cents = np.maximum(np.round(spend * 100), 1).astype(np.int64)

    # Geometric adstock of total spend; the intensity gets x (1 + beta * A_t / mean(A)).
    total = w.spend_cents.sum(axis=1) / 100
    adstock = np.empty(w.n_days)
    carry = 0.0
    for t in range(w.n_days):
        carry = total[t] + C.ADSTOCK_DECAY * carry
        adstock[t] = carry
    marketing = 1 + C.MARKETING_BETA * adstock / adstock.mean()

    trend = 1 + C.GROWTH_PER_YEAR * days / 365.25
    raw = (np.array(C.WEEKDAY_FACTORS)[dow] * np.array(C.MONTH_FACTORS)[month] * trend * marketing)
    w.intensity = raw / raw.mean()
    w.day_cdf = np.cumsum(w.intensity)
    w.hour_cdf = np.cumsum(C.HOUR_WEIGHTS)
    w.late_prob = np.where(month >= 10, C.LATE_PROB_PEAK, C.LATE_PROB)


def _build_catalogue(w: World, rng):
    names, cats, prices = [], [], []
    for ci, (_cat, (_, median, nouns)) in enumerate(C.CATEGORIES.items()):
        # Distinct readable names: adjective + noun + colour combinations, shuffled.
        combos = [(a, n, c) for a in C.PRODUCT_ADJECTIVES for n in nouns for c in C.PRODUCT_COLORS]
        pick = rng.choice(len(combos), C.PRODUCTS_PER_CATEGORY, replace=False)
        names += [" ".join(combos[i]) for i in pick]
        cats += [ci] * C.PRODUCTS_PER_CATEGORY
        p = median * np.exp(rng.normal(0, C.PRICE_SIGMA, C.PRODUCTS_PER_CATEGORY))
        prices.append(np.maximum(np.round(p), 3) * 100 - 1)        # x.99 price points
    w.product_names = names
    w.product_cat = np.array(cats)
    w.price_cents = np.concatenate(prices).astype(np.int64)
    n = len(names)

    # Zipf-Mandelbrot popularity over a random ranking, so every category has hits and a long
    # tail: the offset flattens the head, so no single product dominates the shop.
    rank = rng.permutation(n) + 1
    w.popularity = 1.0 / (rank + C.ZIPF_OFFSET)**C.ZIPF_EXPONENT
    by_rank = np.argsort(rank)                                     # product idx by popularity
    # Planted structure from the upper-middle of the ranking (visible but not top sellers):
    # viewed-not-bought products and bundles never overlap.
    pool = rng.permutation(by_rank[C.PLANTED_RANKS[0]:C.PLANTED_RANKS[1]])
    w.vnb = np.sort(pool[: C.N_VIEWED_NOT_BOUGHT])
    rest = pool[C.N_VIEWED_NOT_BOUGHT:]
    sizes = [2] * C.N_BUNDLES[0] + [3] * C.N_BUNDLES[1]
    offs = np.cumsum([0] + sizes)
    w.bundles = [np.sort(rest[offs[i]:offs[i + 1]]) for i in range(len(sizes))]

    medians = np.array([v[1] for v in C.CATEGORIES.values()])
    # Price relative to the category median, clipped, so that neither demand nor an archetype's
    # taste for dear (or cheap) items turns one outlier product into the shop's best seller.
    rel_price = np.clip(w.price_cents / 100 / medians[w.product_cat], *C.PRICE_TASTE_CLIP)
    buy = w.popularity * rel_price**-C.PRICE_ELASTICITY
    buy[w.vnb] *= C.VNB_PURCHASE_FACTOR
    view = w.popularity.copy()
    view[w.vnb] *= C.VNB_VIEW_BOOST
    w.view_cdf = np.cumsum(view)
    gammas = {a["price_gamma"] for a in C.ARCHETYPES.values()} | {C.GUEST["price_gamma"]}
    w.buy_cdf = {g: np.cumsum(buy * rel_price**g) for g in gammas}
    w.cat_cdf = [(np.flatnonzero(w.product_cat == ci), np.cumsum(buy[w.product_cat == ci]))
                 for ci in range(len(C.CATEGORIES))]


def _build_coupons(w: World):
    cat_index = {c: i for i, c in enumerate(C.CATEGORIES)}
    rows = [(code, cat, pct, w.start, w.end) for code, cat, pct in C.EVERGREEN_COUPONS]
    for year in range(w.start.year, w.end.year + 1):
        for code, cat, pct, (m1, d1), (m2, d2) in C.SEASONAL_COUPONS:
            frm, to = date(year, m1, d1), date(year, m2, d2)
            if to >= w.start and frm <= w.end:
                rows.append((f"{code}{year % 100:02d}", cat, pct, frm, to))
    rows.sort(key=lambda r: (r[3], r[0]))

    # Retention offer: 18 months in (or later if needed to fit the 90-day window).
    offer = add_months(w.start, C.RETENTION_MONTHS_AFTER_START)
    offer = min(offer, w.end - timedelta(days=C.RETENTION_WINDOW_DAYS))
    if (offer - w.start).days >= C.AT_RISK_DAYS + 30:
        w.retention_day = (offer - w.start).days
        code, cat, pct = C.RETENTION_COUPON
        rows.append((code, cat, pct, offer,
                     offer + timedelta(days=C.RETENTION_WINDOW_DAYS)))

    w.coupon_codes = [r[0] for r in rows]
    w.coupon_cat = np.array([cat_index[r[1]] if r[1] else -1 for r in rows])
    w.coupon_pct = np.array([r[2] for r in rows])
    w.coupon_from = np.array([(r[3] - w.start).days for r in rows])
    w.coupon_to = np.array([(r[4] - w.start).days for r in rows])
    n_regular = len(rows) - (w.retention_day is not None)
    d = np.arange(w.n_days)[:, None]
    w.coupon_valid = (d >= w.coupon_from[None, :n_regular]) & (d <= w.coupon_to[None, :n_regular])
