"""Orchestration: build the world, simulate customers chunk by chunk, write files + truth.

Memory stays bounded by the chunk size: each chunk is simulated, formatted and appended to
the output files, then dropped. Ids that must be unique across chunks (orders, sessions,
events, reviews) come from running counters, so results depend on (arguments, chunk size).
"""

import json
import sys
from collections import Counter
from datetime import date
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from tqdm import tqdm

from . import config as C
from .dirt import MessyText, dirty_order_lines, mess_up, pick_duplicates
from .simulate import (
    ARCH_NAMES,
    SECONDS_PER_DAY,
    build_lines,
    build_orders,
    build_returns,
    delivery_charge,
    draw_seconds,
    simulate_customers,
)
from .web import EVENT_TYPES, build_web_events
from .world import World, build_world
from .write import TableWriter, s_date, s_fraction, s_id, s_int, s_lookup, s_money, s_ts

VERSION = "1.0.0"
EVENT_SLICE = 250_000          # rows per formatted batch of web events
RAW_TABLES = ["customers", "products", "tax_rates", "coupons", "order_lines", "shipments",
              "reviews", "web_events", "marketing_spend", "retention_offers"]
CITIES = [(ci, city) for ci, (_, _, cities) in enumerate(C.COUNTRIES) for city, _ in cities]
CITY_OFFSET = np.cumsum([0] + [len(c[2]) for c in C.COUNTRIES])


def _as_date(x):
    return x if isinstance(x, date) else date.fromisoformat(str(x))


def generate(out_dir, customers=5000, seed=42, start="2023-01-01", end="2024-12-31",
             fmt="csv", chunk_size=50_000, progress=True) -> dict:
    """Generate the demo shop into out_dir; returns the manifest (also in _truth/)."""
    start, end = _as_date(start), _as_date(end)
    if end <= start or customers < 1 or chunk_size < 1 or fmt not in ("csv", "parquet"):
        raise ValueError("need start < end, customers >= 1, chunk_size >= 1, fmt csv|parquet")
    out = Path(out_dir)
    (out / "_truth").mkdir(parents=True, exist_ok=True)

    w = build_world(start, end, customers, np.random.default_rng([seed, 0]))
    writers = {t: TableWriter(out, t, fmt) for t in RAW_TABLES}
    truth_writer = TableWriter(out / "_truth", "customers_truth", "csv")
    st = _Stats()

    _write_static(w, np.random.default_rng([seed, 1]), writers, st)
    geo = (MessyText(), MessyText())                # country, city spelling trackers
    counters = Counter(order=1, session=1, event=1, review=1)
    chunks = range(0, customers, chunk_size)
    for ci, lo in enumerate(tqdm(chunks, desc="customer chunks", unit="chunk", file=sys.stderr,
                                 disable=not progress)):
        rng = np.random.default_rng([seed, 2, ci])
        _chunk(w, rng, lo, min(chunk_size, customers - lo), counters, geo, writers,
               truth_writer, st)

    for wr in [*writers.values(), truth_writer]:
        wr.close()
    manifest = _manifest(w, st, writers, truth_writer, dict(
        customers=customers, seed=seed, start=start.isoformat(), end=end.isoformat(),
        format=fmt, chunk_size=chunk_size))
    with open(out / "_truth" / "manifest.json", "w") as f:
        json.dump(manifest, f, indent=2, sort_keys=False)
        f.write("\n")
    if progress:
        for wr in [*writers.values(), truth_writer]:
            print(f"{wr.path}: {wr.rows:,} rows")
    return manifest


class _Stats:
    """Accumulates exact counts over chunks for the manifest."""

    def __init__(self):
        self.c = Counter()
        self.dirt = {"order_lines": Counter(), "customers": Counter(), "products": Counter()}
        self.arch = Counter()
        self.churned = Counter()
        self.clean_revenue_cents = 0


def _write_static(w: World, rng, writers, st):
    """Products (with messy categories), tax rates, coupons and marketing spend."""
    cats = list(C.CATEGORIES)
    n = len(w.product_names)
    category = [cats[i] for i in w.product_cat]
    st.dirt["products"]["messy_text"] = len(
        mess_up(rng, [category], C.DIRT_PRODUCTS["messy_text"], [MessyText()]))
    writers["products"].write({
        "product_id": s_id("P", np.arange(1, n + 1), 5),
        "product_name": pa.array(w.product_names),
        "category": pa.array(category),
        "list_price": s_money(w.price_cents)})
    writers["tax_rates"].write({
        "category": pa.array(cats),
        "tax_rate": s_fraction([round(v[0] * 100) for v in C.CATEGORIES.values()])})
    writers["coupons"].write({
        "coupon_code": pa.array(w.coupon_codes),
        "category": s_lookup(cats, w.coupon_cat),
        "discount_pct": s_fraction(w.coupon_pct),
        "valid_from": s_date(w.start, w.coupon_from),
        "valid_to": s_date(w.start, w.coupon_to)})
    days, ch = np.divmod(np.arange(w.spend_cents.size), len(C.CHANNELS))
    writers["marketing_spend"].write({
        "spend_date": s_date(w.start, days),
        "channel": s_lookup(list(C.CHANNELS), ch),
        "spend": s_money(w.spend_cents.ravel())})


def _chunk(w: World, rng, lo, n, counters, geo, writers, truth_writer, st):
    D = w.n_days
    cust, raw_orders, exp = simulate_customers(w, rng, n)
    o = build_orders(w, rng, cust["arch"], raw_orders)
    lines = build_lines(w, rng, o)
    charge = delivery_charge(rng, o, lines)
    rets = build_returns(w, rng, o, lines)
    events, n_sessions, n_conv = build_web_events(w, rng, o, lines, cust["signup"])

    cust_no = lo + 1 + np.arange(n)                       # global customer numbers
    order_no = counters["order"] + np.arange(len(o["day"]))
    counters["order"] += len(order_no)

    # --- customers (+ messy geography, exact duplicates) and their truth ---
    gender = rng.choice(len(C.GENDERS), n, p=[g[1] for g in C.GENDERS])
    country = rng.choice(len(C.COUNTRIES), n, p=[c[1] for c in C.COUNTRIES])
    city = np.empty(n, np.int64)
    for k, (_, _, cities) in enumerate(C.COUNTRIES):      # city within the country
        wts = np.array([c[1] for c in cities], float)
        sel = country == k
        city[sel] = CITY_OFFSET[k] + rng.choice(len(cities), sel.sum(), p=wts / wts.sum())
    country_s = [C.COUNTRIES[i][0] for i in country]
    city_s = [CITIES[i][1] for i in city]
    messy = mess_up(rng, [country_s, city_s], C.DIRT_CUSTOMERS["messy_text"], list(geo))
    dups = pick_duplicates(rng, n, C.DIRT_CUSTOMERS["duplicate"], messy)
    st.dirt["customers"]["messy_text"] += len(messy)
    st.dirt["customers"]["duplicate"] += len(dups)
    writers["customers"].write({
        "customer_id": s_id("C", cust_no, 7),
        "signup_date": s_date(w.start, cust["signup"]),
        "gender": s_lookup([g[0] for g in C.GENDERS], gender),
        "country": pa.array(country_s), "city": pa.array(city_s)},
        take=_repeat_rows(n, dups))

    churned = cust["churn_day"] < D
    truth_writer.write({
        "customer_id": s_id("C", cust_no, 7),
        "archetype": s_lookup(ARCH_NAMES, cust["arch"]),
        "churned": s_int(churned.astype(int)),
        "churned_at": s_date(w.start, np.where(churned, cust["churn_day"], 0), ~churned),
        "late_deliveries": s_int(cust["late"]), "bad_reviews": s_int(cust["bad"])})
    st.arch.update(cust["arch"].tolist())
    st.churned.update(cust["arch"][churned].tolist())

    # --- order lines: originals + returns in time order, then planted dirt ---
    orig = dict(lines, ts=o["ts"][lines["order"]], is_return=np.zeros(len(lines["qty"]), bool))
    rets["is_return"] = np.ones(len(rets["qty"]), bool)
    L = {k: np.concatenate([orig[k], rets[k]]) for k in orig}
    L["cust"] = o["cust"][L["order"]]
    srt = np.lexsort((L["line_no"], L["order"], L["is_return"], L["ts"]))
    L = {k: v[srt] for k, v in L.items()}
    counts, clean = dirty_order_lines(rng, L)
    st.clean_revenue_cents += int((L["qty"][clean] * L["price"][clean]).sum())
    st.dirt["order_lines"].update(counts)
    st.c["clean_order_lines"] += int(clean.sum())
    is_ret = L["is_return"]
    n_ret_orders = len(np.unique(L["order"][is_ret]))
    st.dirt["order_lines"].update(
        guest_order_lines=int((L["cust"] < 0).sum()), return_lines=int(is_ret.sum()),
        orders=len(order_no), return_orders=n_ret_orders)

    num = order_no[L["order"]]
    bad_date = L["bad_date"] >= 0
    ordered_at = pc.if_else(pa.array(bad_date), s_lookup(C.INVALID_DATES, L["bad_date"]),
                            s_ts(w.start, L["ts"]))
    writers["order_lines"].write({
        "order_id": s_id(pa.array(np.where(is_ret, "R", "O")), num, 8),
        "line_number": s_int(L["line_no"]),
        "ordered_at": ordered_at,
        "customer_id": s_id("C", lo + 1 + np.maximum(L["cust"], 0), 7, L["cust"] < 0),
        "product_id": s_id("P", L["product"] + 1, 5),
        "quantity": s_int(L["qty"]),
        "unit_price": s_money(L["price"]),
        "discount_pct": s_fraction(L["pct"]),
        "coupon_code": s_lookup(w.coupon_codes, L["coupon"]),
        "return_of_order_id": s_id("O", num, 8, ~is_ret)},
        take=_repeat_rows(len(num), np.flatnonzero(L["dup"])))

    # --- shipments (one per non-return order) and reviews ---
    delivered_ok = (o["delivered"] >= 0) & (o["delivered"] < D)
    st.c["never_delivered"] += int((o["delivered"] < 0).sum())
    st.c["in_transit_at_export"] += int((o["delivered"] >= D).sum())
    writers["shipments"].write({
        "order_id": s_id("O", order_no, 8),
        "delivery_charge": s_money(charge),
        "promised_delivery_date": s_date(w.start, o["promised"]),
        "delivered_date": s_date(w.start, np.maximum(o["delivered"], 0), ~delivered_ok)})
    rv = np.flatnonzero((o["review_day"] >= 0) & (o["review_day"] < D))
    rv_ts = o["review_day"][rv] * SECONDS_PER_DAY + draw_seconds(w, rng, len(rv))
    rv = rv[np.argsort(rv_ts, kind="stable")]
    rv_ts = np.sort(rv_ts, kind="stable")
    writers["reviews"].write({
        "review_id": s_id("RV", counters["review"] + np.arange(len(rv)), 8),
        "order_id": s_id("O", order_no[rv], 8),
        "rating": s_int(o["rating"][rv]),
        "reviewed_at": s_ts(w.start, rv_ts)})
    counters["review"] += len(rv)

    # --- web events (the biggest table: formatted in slices to cap memory) ---
    for a in range(0, len(events["ts"]), EVENT_SLICE):
        ev = {k: v[a:a + EVENT_SLICE] for k, v in events.items()}
        writers["web_events"].write({
            "event_id": s_id("E", counters["event"] + a + np.arange(len(ev["ts"])), 11),
            "session_id": s_id("S", counters["session"] + ev["session"], 9),
            "event_at": s_ts(w.start, ev["ts"]),
            "customer_id": s_id("C", lo + 1 + np.maximum(ev["cust"], 0), 7, ev["cust"] < 0),
            "event_type": s_lookup(EVENT_TYPES, ev["etype"]),
            "product_id": s_id("P", ev["product"] + 1, 5, ev["product"] < 0),
            "order_id": s_id("O", order_no[np.maximum(ev["order"], 0)], 8, ev["order"] < 0)})
    counters["event"] += len(events["ts"])
    counters["session"] += n_sessions
    st.c["web_sessions"] += n_sessions
    st.c["converting_sessions"] += n_conv

    # --- retention experiment: offers and what the simulation produced ---
    if exp is not None:
        R = w.retention_day
        assert R is not None        # the experiment only starts on the retention day
        writers["retention_offers"].write({
            "customer_id": s_id("C", lo + 1 + exp["idx"], 7),
            "offered_date": s_date(w.start, np.full(len(exp["idx"]), R)),
            "experiment_group": s_lookup(["control", "treatment"], exp["treat"].astype(int)),
            "coupon_code": s_lookup([w.coupon_codes[-1]], np.where(exp["treat"], 0, -1))})
        reg = o["cust"] >= 0
        in_win = reg & (o["day"] > R) & (o["day"] <= R + C.RETENTION_WINDOW_DAYS)
        bought = np.zeros(n, bool)
        bought[o["cust"][in_win]] = True
        for g, sel in (("treatment", exp["treat"]), ("control", ~exp["treat"])):
            st.c[f"ret_n_{g}"] += int(sel.sum())
            st.c[f"ret_buyers_{g}"] += int(bought[exp["idx"][sel]].sum())


def _repeat_rows(n, dup_rows):
    """Row order with each duplicated row written twice, the copy right after it."""
    reps = np.ones(n, np.int64)
    reps[dup_rows] = 2
    return np.repeat(np.arange(n), reps)


def _manifest(w: World, st: _Stats, writers, truth_writer, args) -> dict:
    cats = list(C.CATEGORIES)
    r = {}
    if w.retention_day is not None:
        rates = {g: st.c[f"ret_buyers_{g}"] / max(st.c[f"ret_n_{g}"], 1)
                 for g in ("treatment", "control")}
        r = dict(
            offered_date=s_date(w.start, [w.retention_day])[0].as_py(),
            at_risk_rule=f"registered customer with >= 1 order and last order >= "
                         f"{C.AT_RISK_DAYS} days before offered_date",
            window=f"order dates in (offered_date, offered_date + "
                   f"{C.RETENTION_WINDOW_DAYS} days]",
            coupon_code=w.coupon_codes[-1],
            n_treatment=st.c["ret_n_treatment"], n_control=st.c["ret_n_control"],
            true_uplift=C.RETENTION_UPLIFT,
            observed_rate_treatment=round(rates["treatment"], 6),
            observed_rate_control=round(rates["control"], 6),
            observed_uplift=round(rates["treatment"] - rates["control"], 6),
            mechanism="P(order in window) = base + uplift * treated; base = "
                      "1 - exp(-rate * window intensity) if still active else "
                      f"{C.RETENTION_WINBACK_BASE}, capped at {C.RETENTION_BASE_CAP}")
    pid = lambda idx: [f"P{i + 1:05d}" for i in idx]  # noqa: E731
    n_cust = args["customers"]
    return {
        "generator": "ecommerce_warehouse.demo_shop",
        "generator_version": VERSION,
        "arguments": args,
        "seed": args["seed"],
        "date_range": {"start": w.start.isoformat(), "end": w.end.isoformat(),
                       "days": w.n_days},
        "row_counts": {f"{wr.name}.{wr.fmt}": wr.rows for wr in writers.values()},
        "truth_row_counts": {"customers_truth.csv": truth_writer.rows},
        "dirt": {
            "rates": {"order_lines": C.DIRT_ORDER_LINES, "customers": C.DIRT_CUSTOMERS,
                      "products": C.DIRT_PRODUCTS},
            "order_lines": {k: int(st.dirt["order_lines"][k]) for k in
                            ["duplicate", "non_positive_price", "outlier_quantity",
                             "invalid_date", "guest_order_lines", "return_lines", "orders",
                             "return_orders"]},
            "customers": {k: int(st.dirt["customers"][k]) for k in ["duplicate", "messy_text"]},
            "products": {"messy_text": int(st.dirt["products"]["messy_text"])},
            "invalid_date_values": C.INVALID_DATES,
        },
        "clean_totals": {
            "clean_order_lines": int(st.c["clean_order_lines"]),
            "clean_gross_revenue": round(st.clean_revenue_cents / 100, 2),
        },
        "clean_values": {
            "countries": sorted(c[0] for c in C.COUNTRIES),
            "cities": sorted(c[1] for c in CITIES),
            "categories": sorted(cats),
        },
        "archetypes": {name: dict(**C.ARCHETYPES[name], customers=int(st.arch[i]),
                                  churned=int(st.churned[i]))
                       for i, name in enumerate(ARCH_NAMES)},
        "guests": dict(**C.GUEST, order_share=C.GUEST_ORDER_SHARE),
        "pre_start_signup_share": C.PRE_START_SHARE,
        "bundles": [{"products": pid(b), "add_prob": C.BUNDLE_ADD_PROB} for b in w.bundles],
        "viewed_not_bought_products": pid(w.vnb),
        "churn": {"late_delivery_hazard_factor": C.LATE_DELIVERY_HAZARD_FACTOR,
                  "bad_review_hazard_factor": C.BAD_REVIEW_HAZARD_FACTOR,
                  "bad_review_rating_max": C.BAD_RATING_MAX,
                  "rule": "daily hazard = archetype churn_hazard * late_factor^late_deliveries"
                          " * bad_factor^bad_reviews (counts so far, applied from the delivery"
                          " / review date); one_off customers leave after their first order"},
        "seasonality": {"weekday_factors_mon_to_sun": C.WEEKDAY_FACTORS,
                        "month_factors_jan_to_dec": C.MONTH_FACTORS,
                        "growth_per_year": C.GROWTH_PER_YEAR,
                        "hour_weights_0_to_23": C.HOUR_WEIGHTS},
        "marketing": {"beta": C.MARKETING_BETA, "adstock_decay": C.ADSTOCK_DECAY,
                      "channels_share": C.CHANNELS,
                      "spend_month_factors": C.SPEND_MONTH_FACTORS,
                      "rule": "A_t = S_t + decay * A_{t-1} (S_t = total spend of day t); "
                              "daily order intensity ~ weekday * month * trend * "
                              "(1 + beta * A_t / mean(A)), normalised to mean 1"},
        "fulfilment": {"free_shipping_threshold": C.FREE_SHIPPING_THRESHOLD_CENTS / 100,
                       "late_prob": C.LATE_PROB, "late_prob_nov_dec": C.LATE_PROB_PEAK,
                       "never_delivered": int(st.c["never_delivered"]),
                       "in_transit_at_export": int(st.c["in_transit_at_export"]),
                       "review_prob": C.REVIEW_PROB, "return_prob": C.RETURN_PROB},
        "web": {"session_sample_rate": C.WEB_SESSION_SAMPLE_RATE,
                "sessions": int(st.c["web_sessions"]),
                "converting_sessions": int(st.c["converting_sessions"]),
                "conversion_rate": round(st.c["converting_sessions"]
                                         / max(st.c["web_sessions"], 1), 6)},
        "retention_experiment": r,
        "marketing_total_spend": round(int(w.spend_cents.sum()) / 100, 2),
        "customers": n_cust,
    }
