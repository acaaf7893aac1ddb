"""Simulate one chunk of customers: their lives, orders, baskets, fulfilment and returns.

Output is raw numpy arrays (day offsets, seconds, cents, integer codes); formatting to
text happens in write.py. The customer loop steps through days, vectorised over the
chunk's customers, because churn depends on earlier late deliveries and bad reviews.
"""

from collections import defaultdict

import numpy as np

from . import config as C
from .world import World, sample_from_cdf

ARCH_NAMES = list(C.ARCHETYPES)
ONE_OFF = ARCH_NAMES.index("one_off")
NEVER = np.iinfo(np.int64).max // 4      # "no such day" sentinel
SECONDS_PER_DAY = 86_400


def _arch_param(name):
    return np.array([a[name] for a in C.ARCHETYPES.values()])


def draw_fulfilment(w: World, rng, day):
    """Promised/actual delivery and the (possible) review of orders placed on `day`.

    delivered = -1 means never delivered; days >= n_days fall after the export date.
    """
    n = len(day)
    promised = day + rng.integers(C.PROMISED_DAYS[0], C.PROMISED_DAYS[1] + 1, n)
    late = rng.random(n) < w.late_prob[day]
    never = rng.random(n) < C.NEVER_DELIVERED_PROB
    delay = np.where(late, rng.integers(1, 7, n), -rng.integers(0, 3, n))
    delivered = np.where(never, -1, np.maximum(promised + delay, day + 1))
    late &= ~never
    reviewed = ~never & (rng.random(n) < C.REVIEW_PROB)
    review_day = np.where(reviewed, delivered + rng.geometric(0.3, n) - 1, -1)
    rating = np.where(late,
                      rng.choice(5, n, p=C.RATING_PROBS_LATE),
                      rng.choice(5, n, p=C.RATING_PROBS_ON_TIME)) + 1
    return dict(promised=promised, delivered=delivered, late=late,
                review_day=review_day, rating=rating)


def draw_seconds(w: World, rng, n):
    """Seconds into the day, following the hour-of-day profile (evening peak)."""
    hour = sample_from_cdf(rng, w.hour_cdf, n)
    return hour * 3600 + rng.integers(0, 3600, n)


def simulate_customers(w: World, rng, n: int):
    """Customer attributes plus the day-by-day purchase/churn process."""
    D = w.n_days
    # --- attributes; signup days sorted so "signed up by day d" is a prefix of the chunk ---
    pre = rng.random(n) < C.PRE_START_SHARE
    signup = np.where(pre, -rng.integers(1, C.PRE_START_YEARS * 365 + 1, n),
                      sample_from_cdf(rng, w.day_cdf, n))
    signup.sort()
    pre = signup < 0
    arch = rng.choice(len(ARCH_NAMES), n, p=_arch_param("share"))
    checkout = ~pre & (rng.random(n) < _arch_param("checkout_signup")[arch])
    rate = _arch_param("orders_per_year")[arch] / 365.0
    hazard = _arch_param("churn_hazard")[arch].astype(float)

    # Pre-range customers may already have left: one-offs right after their signup order,
    # the others after an exponential lifetime.
    active = np.ones(n, bool)
    churn_day = np.full(n, NEVER)
    life = np.where(arch == ONE_OFF, 0,
                    rng.exponential(1 / np.maximum(hazard, 1e-9)).astype(np.int64))
    gone = pre & (signup + life < 0)
    churn_day[gone] = (signup + life)[gone]
    active[gone] = False

    late_cnt = np.zeros(n, np.int64)
    bad_cnt = np.zeros(n, np.int64)
    last_order = np.full(n, -1)
    # day -> [(kind, customer idx)] hazard bumps due that day
    bumps: defaultdict[int, list[tuple[str, np.ndarray]]] = defaultdict(list)

    R = w.retention_day
    exp = None                      # retention experiment state
    in_window = np.zeros(n, bool)   # at-risk customers whose natural buying is replaced
    window_orders: dict[int, tuple[np.ndarray, np.ndarray]] = {}   # day -> (idx, offer)

    # (seeded with empty arrays so a chunk without any order still concatenates)
    out_cust, out_day = [np.zeros(0, np.int64)], [np.zeros(0, np.int64)]
    out_offer, out_ful = [np.zeros(0, bool)], [draw_fulfilment(w, rng, np.zeros(0, np.int64))]
    for d in range(D):
        for kind, idx in bumps.pop(d, []):
            cnt, factor = ((late_cnt, C.LATE_DELIVERY_HAZARD_FACTOR) if kind == "late"
                           else (bad_cnt, C.BAD_REVIEW_HAZARD_FACTOR))
            np.add.at(cnt, idx, 1)
            np.multiply.at(hazard, idx, factor)

        k = np.searchsorted(signup, d, side="right")       # customers signed up by today
        k0 = np.searchsorted(signup, d, side="left")       # ... of which [k0, k) sign up today
        act = active[:k]
        # Churn (not on the signup day itself), then natural purchases of the still-active.
        churn = act & (rng.random(k) < np.minimum(hazard[:k], C.MAX_DAILY_HAZARD))
        churn[k0:] = False
        if churn.any():
            active[:k] &= ~churn
            churn_day[:k][churn] = d
        p = np.minimum(rate[:k] * w.intensity[d], C.MAX_DAILY_ORDER_PROB)
        buy = active[:k] & ~in_window[:k] & (rng.random(k) < p)
        buy[k0:] |= checkout[k0:k]                          # registered at checkout today
        idx = np.flatnonzero(buy)
        offer = np.zeros(len(idx), bool)
        if d in window_orders:
            widx, woffer = window_orders.pop(d)
            idx = np.concatenate([idx, widx])
            offer = np.concatenate([offer, woffer])
        if len(idx) == 0:
            continue
        last_order[idx] = d
        leaving = idx[(arch[idx] == ONE_OFF) & active[idx]]  # one-offs leave after an order
        active[leaving] = False
        churn_day[leaving] = d

        ful = draw_fulfilment(w, rng, np.full(len(idx), d))
        lt = ful["late"] & (ful["delivered"] < D)
        for day in np.unique(ful["delivered"][lt]):
            bumps[day].append(("late", idx[lt & (ful["delivered"] == day)]))
        bad = ((ful["rating"] <= C.BAD_RATING_MAX) & (ful["review_day"] >= 0)
               & (ful["review_day"] < D))
        for day in np.unique(ful["review_day"][bad]):
            bumps[day].append(("bad", idx[bad & (ful["review_day"] == day)]))
        out_cust.append(idx)
        out_day.append(np.full(len(idx), d))
        out_offer.append(offer)
        out_ful.append(ful)

        if d == R:
            exp = _start_retention(w, rng, R, last_order, active, rate)
            in_window[exp["idx"]] = True
            for day in np.unique(exp["win_day"][exp["buy"]]):
                sel = exp["buy"] & (exp["win_day"] == day)
                window_orders[day] = (exp["idx"][sel], exp["offer"][sel])
        if R is not None and d == R + C.RETENTION_WINDOW_DAYS:
            in_window[:] = False

    orders = dict(cust=np.concatenate(out_cust), day=np.concatenate(out_day),
                  offer=np.concatenate(out_offer))
    for key in out_ful[0]:
        orders[key] = np.concatenate([f[key] for f in out_ful])
    customers = dict(signup=signup, arch=arch, churn_day=churn_day,
                     late=late_cnt, bad=bad_cnt)
    return customers, orders, exp


def _start_retention(w: World, rng, R, last_order, active, rate):
    """Randomise at-risk customers; decide who orders in the 90-day window.

    P(order in window) = base + uplift * treated, where base is the customer's natural
    chance (from their purchase rate, or a small win-back chance if churned). Natural
    purchases of these customers are replaced by this single decision during the window,
    so the true absolute uplift is exactly RETENTION_UPLIFT in expectation.
    """
    idx = np.flatnonzero((last_order >= 0) & (R - last_order >= C.AT_RISK_DAYS))
    n = len(idx)
    treat = rng.random(n) < 0.5
    window_intensity = w.intensity[R + 1:R + 1 + C.RETENTION_WINDOW_DAYS].sum()
    base = np.where(active[idx], 1 - np.exp(-rate[idx] * window_intensity),
                    C.RETENTION_WINBACK_BASE)
    base = np.minimum(base, C.RETENTION_BASE_CAP)
    buy = rng.random(n) < base + C.RETENTION_UPLIFT * treat
    win_day = R + 1 + rng.integers(0, C.RETENTION_WINDOW_DAYS, n)
    offer = treat & (rng.random(n) < C.RETENTION_COUPON_USE)
    return dict(idx=idx, treat=treat, buy=buy, win_day=win_day, offer=offer)


def build_orders(w: World, rng, cust_arch, orders):
    """Add guest orders, timestamps and coupons; sort chronologically.

    Returns per-order arrays; `cust` is the chunk-local customer index or -1 for guests.
    """
    n_reg = len(orders["day"])
    n_guest = rng.poisson(n_reg * C.GUEST_ORDER_SHARE / (1 - C.GUEST_ORDER_SHARE))
    g_day = sample_from_cdf(rng, w.day_cdf, n_guest)
    g_ful = draw_fulfilment(w, rng, g_day)
    o = {k: np.concatenate([v, g_ful[k]]) for k, v in orders.items() if k in g_ful}
    o["cust"] = np.concatenate([orders["cust"], np.full(n_guest, -1)])
    o["day"] = np.concatenate([orders["day"], g_day])
    offer = np.concatenate([orders["offer"], np.zeros(n_guest, bool)])
    n = len(o["day"])

    # Behaviour per order: archetype parameters, guests get their own row (index 5).
    arch = np.where(o["cust"] >= 0, cust_arch[np.maximum(o["cust"], 0)], len(ARCH_NAMES))
    o["arch"] = arch
    coupon_prob = np.append(_arch_param("coupon_prob"), C.GUEST["coupon_prob"])[arch]

    # Coupons: pick uniformly among the regular coupons valid that day.
    valid = w.coupon_valid[o["day"]]
    cum = np.cumsum(valid, axis=1)
    r = rng.random(n) * cum[:, -1]
    pick = np.argmax(cum > r[:, None], axis=1)
    use = (rng.random(n) < coupon_prob) & (cum[:, -1] > 0)
    o["coupon"] = np.where(use, pick, -1)
    o["coupon"][offer] = len(w.coupon_codes) - 1          # the retention offer coupon

    o["ts"] = o["day"] * SECONDS_PER_DAY + draw_seconds(w, rng, n)
    order = np.argsort(o["ts"], kind="stable")
    return {k: v[order] for k, v in o.items()}


def build_lines(w: World, rng, o):
    """Baskets: Zipf/price-preference sampling, coupon category, planted bundles."""
    n_orders = len(o["day"])
    extra = np.append(_arch_param("extra_lines"), C.GUEST["extra_lines"])[o["arch"]]
    n_lines = 1 + np.minimum(rng.poisson(extra), C.MAX_BASE_LINES - 1)
    line_order = np.repeat(np.arange(n_orders), n_lines)
    gamma = np.append(_arch_param("price_gamma"), C.GUEST["price_gamma"])[o["arch"]][line_order]
    product = np.empty(len(line_order), np.int64)
    for g, cdf in w.buy_cdf.items():
        sel = gamma == g
        product[sel] = sample_from_cdf(rng, cdf, sel.sum())
    # A category coupon implies the basket holds something of that category: first line.
    first = np.cumsum(n_lines) - n_lines
    cat = np.where(o["coupon"] >= 0, w.coupon_cat[o["coupon"]], -1)
    for ci, (prods, cdf) in enumerate(w.cat_cdf):
        sel = first[cat == ci]
        product[sel] = prods[sample_from_cdf(rng, cdf, len(sel))]

    # One line per product within an order (keep the first occurrence, in basket order).
    n_prod = len(w.price_cents)
    _, keep = np.unique(line_order * n_prod + product, return_index=True)
    keep.sort()
    line_order, product = line_order[keep], product[keep]

    # Bundles: if any member is in the basket, each missing member joins with prob p.
    add_o, add_p = [], []
    for members in w.bundles:
        present = np.zeros((n_orders, len(members)), bool)
        for j, p in enumerate(members):
            present[line_order[product == p], j] = True
        trigger = present.any(axis=1)
        for j, p in enumerate(members):
            add = trigger & ~present[:, j] & (rng.random(n_orders) < C.BUNDLE_ADD_PROB)
            add_o.append(np.flatnonzero(add))
            add_p.append(np.full(add.sum(), p))
    line_order = np.concatenate([line_order] + add_o)
    product = np.concatenate([product] + add_p)
    srt = np.argsort(line_order, kind="stable")
    line_order, product = line_order[srt], product[srt]

    n = len(line_order)
    starts = np.searchsorted(line_order, np.arange(n_orders))
    line_no = np.arange(n) - starts[line_order] + 1
    qty = rng.choice(5, n, p=C.QUANTITY_PROBS) + 1
    bulk = rng.random(n) < C.BULK_PROB
    qty[bulk] = rng.integers(6, 13, bulk.sum())
    price = w.price_cents[product].copy()
    md = rng.random(n) < C.MARKDOWN_PROB
    price[md] = np.maximum(np.round(price[md] * C.MARKDOWN_FACTOR), 1).astype(np.int64)
    coupon = o["coupon"][line_order]
    applies = (coupon >= 0) & ((w.coupon_cat[coupon] == -1) |
                               (w.coupon_cat[coupon] == w.product_cat[product]))
    pct = np.where(applies, w.coupon_pct[coupon], 0)
    return dict(order=line_order, line_no=line_no, product=product, qty=qty, price=price,
                pct=pct, coupon=coupon)


def build_returns(w: World, rng, o, lines):
    """~3% of delivered registered orders come back a few days after delivery."""
    D = w.n_days
    cand = (o["cust"] >= 0) & (o["delivered"] >= 0) & (o["delivered"] < D)
    ret = cand & (rng.random(len(cand)) < C.RETURN_PROB)
    ret_day = o["delivered"] + rng.integers(1, 15, len(cand))
    ret &= ret_day < D
    ret_ts = ret_day * SECONDS_PER_DAY + draw_seconds(w, rng, len(cand))

    li = np.flatnonzero(ret[lines["order"]])
    chosen = rng.random(len(li)) < C.RETURN_LINE_PROB
    # Make sure every returned order returns at least its first line.
    chosen |= lines["line_no"][li] == 1
    li = li[chosen]
    lines["returned"] = np.zeros(len(lines["qty"]), bool)   # originals that came back
    lines["returned"][li] = True
    qty = -rng.integers(1, lines["qty"][li] + 1)
    r = {k: v[li] for k, v in lines.items()}
    r["qty"] = qty
    starts = np.searchsorted(r["order"], np.arange(len(o["day"])))
    r["line_no"] = np.arange(len(li)) - starts[r["order"]] + 1
    r["ts"] = ret_ts[r["order"]]
    return r


def delivery_charge(rng, o, lines):
    """Per-order charge: free above the threshold (on the discounted basket value)."""
    net = lines["qty"] * lines["price"] * (100 - lines["pct"]) // 100
    value = np.bincount(lines["order"], weights=net, minlength=len(o["day"]))
    charge = rng.choice(C.DELIVERY_CHARGES_CENTS, len(value), p=C.DELIVERY_CHARGE_WEIGHTS)
    return np.where(value >= C.FREE_SHIPPING_THRESHOLD_CENTS, 0, charge)
