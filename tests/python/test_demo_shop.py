"""Checks of the demo shop generator against its own manifest, re-derived from the files.

Everything is recomputed with DuckDB from the written files (not from generator internals),
so these tests hold the generator to what the dbt pipeline will actually see.
"""

import os
from pathlib import Path

import duckdb
import pytest

from ecommerce_warehouse.demo_shop import generate
from ecommerce_warehouse.demo_shop.__main__ import main

from dbt_runner import REPO_ROOT

N_CUSTOMERS = 400
CHUNK = 150            # several chunks, to exercise cross-chunk id uniqueness
# A seed whose shop has every kind of dirt: at 400 customers and rate 0.005 a shop has no
# duplicate customer about one time in seven (seed 7 since the issue-5 archetypes).
SEED = 8
TS = "'%Y-%m-%d %H:%M:%S'"

HEADERS = {
    "customers": "customer_id,signup_date,gender,country,city",
    "products": "product_id,product_name,category,list_price",
    "tax_rates": "category,tax_rate",
    "coupons": "coupon_code,category,discount_pct,valid_from,valid_to",
    "order_lines": "order_id,line_number,ordered_at,customer_id,product_id,quantity,"
                   "unit_price,discount_pct,coupon_code,return_of_order_id",
    "shipments": "order_id,delivery_charge,promised_delivery_date,delivered_date",
    "reviews": "review_id,order_id,rating,reviewed_at",
    "web_events": "event_id,session_id,event_at,customer_id,event_type,product_id,order_id",
    "marketing_spend": "spend_date,channel,spend",
    "retention_offers": "customer_id,offered_date,experiment_group,coupon_code",
}


@pytest.fixture(scope="module")
def shop(tmp_path_factory):
    out = tmp_path_factory.mktemp("shop")
    manifest = generate(out, customers=N_CUSTOMERS, seed=SEED, chunk_size=CHUNK, progress=False)
    return out, manifest


@pytest.fixture(scope="module")
def con(shop):
    out, _ = shop
    c = duckdb.connect()
    for t in HEADERS:
        c.execute(f"create view {t} as select * from read_csv('{out}/{t}.csv', header=true, "
                  "all_varchar=true, delim=',', quote='\"')")
    c.execute(f"create view truth as select * from read_csv('{out}/_truth/customers_truth.csv',"
              " header=true, all_varchar=true)")
    # Line-level defect flags, exactly as defined in the spec.
    c.execute(f"""
        create view flagged as
        select *, count(*) over (partition by order_id, line_number) as copies,
               try_cast(unit_price as decimal(12, 2)) <= 0 as bad_price,
               try_cast(quantity as integer) >= 20000 as bad_qty,
               try_strptime(ordered_at, {TS}) is null as bad_date
        from order_lines""")
    # One row per order with its timestamp taken from the lines with a parseable date.
    c.execute(f"""
        create view orders as
        select order_id, any_value(customer_id) as customer_id,
               min(try_strptime(ordered_at, {TS})) as ordered_at
        from order_lines group by order_id""")
    return c


def q(con, sql):
    return con.execute(sql).fetchall()


def one(con, sql):
    return con.execute(sql).fetchone()[0]


def test_deterministic_and_cli(shop, tmp_path):
    out, _ = shop
    main(["--out", str(tmp_path), "--customers", str(N_CUSTOMERS), "--seed", str(SEED),
          "--chunk-size", str(CHUNK), "--quiet"])
    files = sorted(p.relative_to(out) for p in out.rglob("*") if p.is_file())
    assert len(files) == len(HEADERS) + 2
    for f in files:
        assert (out / f).read_bytes() == (tmp_path / f).read_bytes(), f


def test_headers_and_row_counts(shop, con):
    out, m = shop
    for t, header in HEADERS.items():
        text = (out / f"{t}.csv").read_text(encoding="utf-8")
        assert text.split("\n", 1)[0] == header
        assert text.endswith("\n") and "\r" not in text
        assert one(con, f"select count(*) from {t}") == m["row_counts"][f"{t}.csv"]
    assert one(con, "select count(*) from truth") == N_CUSTOMERS


def test_order_line_dirt_counts_are_exact(con, shop):
    _, m = shop
    d = m["dirt"]["order_lines"]
    n_rows, n_distinct = q(con, "select count(*), count(distinct order_lines) from order_lines")[0]
    assert n_rows - n_distinct == d["duplicate"] > 0
    assert one(con, "select max(copies) from flagged") == 2
    # a duplicated row is an exact copy
    assert one(con, "select count(*) from (select distinct * exclude (copies) from flagged "
                    "where copies = 2)") == d["duplicate"]
    assert one(con, "select count(*) from flagged where bad_price") == d["non_positive_price"]
    assert one(con, "select count(*) from flagged where bad_qty") == d["outlier_quantity"]
    assert one(con, "select count(*) from flagged where bad_date") == d["invalid_date"]
    assert one(con, "select count(*) from order_lines where customer_id is null") \
        == d["guest_order_lines"]
    assert one(con, "select count(*) from order_lines where order_id like 'R%'") \
        == d["return_lines"]
    assert one(con, "select count(distinct order_id) from order_lines where order_id like 'O%'") \
        == d["orders"]
    assert one(con, "select count(distinct order_id) from order_lines where order_id like 'R%'") \
        == d["return_orders"]
    for kind in ("non_positive_price", "outlier_quantity", "invalid_date"):
        assert d[kind] > 0, kind


def test_each_dirty_line_has_exactly_one_defect(con):
    defects = "(copies = 2)::int + coalesce(bad_price, false)::int" \
              " + coalesce(bad_qty, false)::int + bad_date::int"
    assert one(con, f"select max({defects}) from flagged") == 1
    # never on guest or return lines; the bad dates are exactly the planted spellings
    assert one(con, f"select count(*) from flagged where {defects} > 0 and "
                    "(customer_id is null or order_id like 'R%')") == 0
    assert {r[0] for r in q(con, "select distinct coalesce(ordered_at, '') from flagged "
                                 "where bad_date")} <= {"N/A", "2024-13-45 10:00:00",
                                                        "31/02/2024", ""}
    # every order keeps at least one clean line, so it keeps a valid date
    assert one(con, "select count(*) from orders where ordered_at is null") == 0


def test_clean_totals(con, shop):
    _, m = shop
    clean = ("select distinct * exclude (copies) from flagged "
             "where not (bad_date or coalesce(bad_price, false) or coalesce(bad_qty, false))")
    n, revenue = q(con, f"select count(*), sum(quantity::int * unit_price::decimal(12, 2)) "
                        f"from ({clean})")[0]
    assert n == m["clean_totals"]["clean_order_lines"]
    assert float(revenue) == pytest.approx(m["clean_totals"]["clean_gross_revenue"], abs=0.005)


def _most_common_spelling_is_clean(con, table, column, clean_values):
    rows = q(con, f"""
        select key, arg_max(spelling, n) from (
            select lower(trim(regexp_replace({column}, '\\s+', ' ', 'g'))) as key,
                   trim({column}) as spelling, count(*) as n
            from {table} group by all)
        group by key""")
    assert {r[1] for r in rows} <= set(clean_values)


def test_customer_and_product_dirt(con, shop):
    _, m = shop
    cv = m["clean_values"]
    n_rows, n_distinct = q(con, "select count(*), count(distinct customers) from customers")[0]
    assert n_rows - n_distinct == m["dirt"]["customers"]["duplicate"] > 0
    assert one(con, "select max(n) from (select count(*) n from customers group by customers)") == 2
    assert one(con, "select count(distinct customer_id) from customers") == N_CUSTOMERS
    countries, cities = (", ".join(f"'{v}'" for v in cv[k]) for k in ("countries", "cities"))
    messy = one(con, f"select count(*) from (select distinct * from customers) where "
                     f"country not in ({countries}) or city not in ({cities})")
    assert messy == m["dirt"]["customers"]["messy_text"] > 0
    _most_common_spelling_is_clean(con, "customers", "country", cv["countries"])
    _most_common_spelling_is_clean(con, "customers", "city", cv["cities"])

    cats = ", ".join(f"'{v}'" for v in cv["categories"])
    assert one(con, f"select count(*) from products where category not in ({cats})") \
        == m["dirt"]["products"]["messy_text"] > 0
    _most_common_spelling_is_clean(con, "products", "category", cv["categories"])


def test_q4_has_the_most_revenue(con):
    rev = dict(q(con, f"""
        select quarter(try_strptime(ordered_at, {TS})),
               sum(quantity::int * unit_price::decimal(12, 2))
        from flagged where not (bad_date or bad_price or bad_qty) group by 1"""))
    assert all(rev[4] > rev[k] * 6 / 5 for k in (1, 2, 3))


def test_bundles_cooccur_far_above_independence(con, shop):
    _, m = shop
    con.execute("create or replace temp table baskets as select order_id, "
                "list(distinct product_id) ps from order_lines where order_id like 'O%' "
                "group by 1")
    n = one(con, "select count(*) from baskets")
    for b in m["bundles"]:
        a, c = b["products"][:2]
        na, nc, nac = q(con, f"select count(*) filter (list_contains(ps, '{a}')), "
                             f"count(*) filter (list_contains(ps, '{c}')), count(*) filter "
                             f"(list_contains(ps, '{a}') and list_contains(ps, '{c}')) "
                             f"from baskets")[0]
        assert nac >= 3 and nac * n / (na * nc) > 5, (b, na, nc, nac)


def test_customers_sign_up_before_first_order(con):
    assert one(con, "select count(*) from (select distinct customer_id, signup_date "
                    "from customers) c join orders o using (customer_id) "
                    "where o.ordered_at::date < c.signup_date::date") == 0


def test_order_ids_unique_across_chunks(con, shop):
    _, m = shop
    assert m["arguments"]["chunk_size"] < N_CUSTOMERS        # really several chunks
    assert one(con, "select count(*) - count(distinct order_id) from shipments") == 0
    assert one(con, "select count(*) from orders where order_id like 'O%'") \
        == one(con, "select count(*) from shipments")
    # one customer per order and line numbers 1..n without gaps
    assert one(con, "select count(*) from (select order_id from (select distinct * from "
                    "order_lines) group by 1 having count(distinct coalesce(customer_id, '-'))"
                    " > 1 or max(line_number::int) <> count(*))") == 0
    for t, col in (("web_events", "event_id"), ("reviews", "review_id")):
        assert one(con, f"select count(*) - count(distinct {col}) from {t}") == 0


def test_parquet_matches_csv(shop, tmp_path):
    out, _ = shop
    generate(tmp_path, customers=N_CUSTOMERS, seed=SEED, chunk_size=CHUNK, fmt="parquet",
             progress=False)
    c = duckdb.connect()
    for t in HEADERS:
        a = c.execute(f"select * from read_csv('{out}/{t}.csv', header=true, "
                      "all_varchar=true)").fetchall()
        b = c.execute(f"select * from read_parquet('{tmp_path}/{t}.parquet')").fetchall()
        assert a == b, t
    assert (out / "_truth/customers_truth.csv").read_bytes() == \
        (tmp_path / "_truth/customers_truth.csv").read_bytes()


def test_returns_reference_existing_orders(con):
    bad = one(con, """
        select count(*) from order_lines r
        left join (select distinct * from order_lines) o
          on o.order_id = r.return_of_order_id and o.product_id = r.product_id
         and o.order_id like 'O%'
        where r.order_id like 'R%' and (
              o.order_id is null or substr(r.order_id, 2) <> substr(o.order_id, 2)
           or r.customer_id is distinct from o.customer_id
           or r.unit_price <> o.unit_price
           or -r.quantity::int > o.quantity::int or r.quantity::int >= 0
           or r.ordered_at::timestamp <= o.ordered_at::timestamp)""")
    assert bad == 0
    assert one(con, "select count(*) from order_lines where order_id like 'O%' "
                    "and return_of_order_id is not null") == 0


def test_fulfilment_and_reviews(con):
    assert one(con, "select count(*) from shipments where "
                    "delivered_date::date < promised_delivery_date::date - 3") == 0
    # reviews only for delivered orders, after delivery; late deliveries rate lower
    assert one(con, "select count(*) from reviews r left join shipments s using (order_id) "
                    "where s.delivered_date is null "
                    "or r.reviewed_at::date < s.delivered_date::date") == 0
    late, on_time = (one(con, f"select avg(rating::int) from reviews join shipments "
                              f"using (order_id) where (delivered_date > "
                              f"promised_delivery_date) = {flag}") for flag in ("true", "false"))
    assert late < on_time - 0.8


def test_web_funnel(con):
    # every purchase is the last event of its session, at the order's exact timestamp
    assert one(con, """
        select count(*) from web_events e
        left join orders o on o.order_id = e.order_id
        where e.event_type = 'purchase' and (o.order_id is null
           or e.event_at::timestamp <> o.ordered_at
           or e.customer_id is distinct from o.customer_id
           or e.event_at < (select max(event_at) from web_events x
                            where x.session_id = e.session_id))""") == 0
    assert one(con, "select count(*) from web_events where (event_type in "
                    "('page_view', 'purchase')) = (product_id is not null) "
                    "or (event_type = 'purchase') = (order_id is null)") == 0
    rate = one(con, "select count(*) filter (event_type = 'purchase') / "
                    "count(distinct session_id) from web_events")
    assert 0.02 <= rate <= 0.06


def test_retention_experiment_matches_manifest(con, shop):
    _, m = shop
    r = m["retention_experiment"]
    groups = dict(q(con, "select experiment_group, count(*) from retention_offers group by 1"))
    assert groups == {"treatment": r["n_treatment"], "control": r["n_control"]}
    assert q(con, "select distinct experiment_group, coupon_code from retention_offers "
                  "order by 1") == [("control", None), ("treatment", r["coupon_code"])]
    rates = dict(q(con, """
        select experiment_group, avg((exists (
            select 1 from orders o where o.customer_id = ro.customer_id
              and o.order_id like 'O%'
              and o.ordered_at::date > ro.offered_date::date
              and o.ordered_at::date <= ro.offered_date::date + 90))::int)
        from retention_offers ro group by 1"""))
    assert rates["treatment"] == pytest.approx(r["observed_rate_treatment"], abs=1e-6)
    assert rates["control"] == pytest.approx(r["observed_rate_control"], abs=1e-6)


def test_truth_matches_manifest(con, shop):
    _, m = shop
    counts = dict(q(con, "select archetype, count(*) from truth group by 1"))
    assert counts == {k: v["customers"] for k, v in m["archetypes"].items() if v["customers"]}
    assert one(con, "select count(*) from truth where (churned = '1') = (churned_at is null)") \
        == 0
    assert set(m["viewed_not_bought_products"]) <= {r[0] for r in q(
        con, "select product_id from products")}


# --- the shop looks like a real one (targets in ecommerce_warehouse/demo_shop/config.py) ---

# Popularity, basket and price figures of a view `sale_lines(order_id, product_id, quantity,
# unit_price)` holding a shop's clean sale lines (no returns, no dirt).
SHOP_FIGURES = """
    with by_product as (
        select product_id, sum(quantity * unit_price) as revenue, count(*) as lines
        from sale_lines group by product_id),
    ranked as (
        select *, row_number() over (order by revenue desc) as rank_, count(*) over () as products
        from by_product),
    baskets as (select order_id, count(distinct product_id) as lines from sale_lines group by 1)
    select
        (select max(revenue) / sum(revenue) from ranked) as top_product_revenue_share,
        (select max(lines) / sum(lines) from ranked) as top_product_line_share,
        (select sum(revenue) filter (where rank_ <= products * 0.1) / sum(revenue) from ranked)
            as top_tenth_revenue_share,
        (select median(lines) from baskets) as median_basket_lines,
        (select avg(lines) from baskets) as mean_basket_lines,
        (select avg((lines = 1)::int) from baskets) as single_line_order_share,
        (select quantile_cont(unit_price, 0.1) / median(unit_price) from sale_lines)
            as price_p10_to_median,
        (select quantile_cont(unit_price, 0.9) / median(unit_price) from sale_lines)
            as price_p90_to_median
"""


def shop_figures(con):
    cur = con.execute(SHOP_FIGURES)
    return dict(zip([d[0] for d in cur.description], cur.fetchone(), strict=True))


def assert_popularity_and_prices_realistic(f):
    assert f["top_product_revenue_share"] <= 0.06, f
    assert f["top_product_line_share"] <= 0.03, f
    assert 0.45 <= f["top_tenth_revenue_share"] <= 0.70, f
    assert 0.2 <= f["price_p10_to_median"] <= 0.5, f
    assert 2.0 <= f["price_p90_to_median"] <= 4.5, f


def test_popularity_baskets_and_prices_look_like_a_real_shop(con):
    con.execute("""
        create or replace temp view sale_lines as
        select distinct order_id, product_id, quantity::int as quantity,
               unit_price::decimal(12, 2) as unit_price
        from flagged
        where order_id like 'O%'
          and not (bad_date or coalesce(bad_price, false) or coalesce(bad_qty, false))""")
    f = shop_figures(con)
    assert_popularity_and_prices_realistic(f)
    assert 1 <= f["median_basket_lines"] <= 2, f
    assert 1.5 <= f["mean_basket_lines"] <= 3.5, f
    assert 0.25 <= f["single_line_order_share"] <= 0.60, f


def test_targets_hold_for_online_retail():
    """The popularity and price bands are a real shop's: Online Retail lies inside them.

    Its measured figures (merchandise lines of non-cancelled invoices): top product 1.7 % of
    revenue and 0.4 % of lines, top 10 % of products 62 %, price p10 / p90 = 0.31 / 3.7 x the
    median. Its baskets (median 15 lines) are a wholesaler's, so they set no target here.
    """
    shared = Path(os.environ.get("SHARED_DATA_DIR", REPO_ROOT.parent / "shared" / "data"))
    path = shared / "online_retail" / "online-retail-by-day.csv.gz"
    if not path.exists():
        pytest.skip(f"{path} not found (set SHARED_DATA_DIR to the folder holding online_retail/)")
    con = duckdb.connect()
    con.execute(f"""
        create view sale_lines as
        select InvoiceNo as order_id, StockCode as product_id, Quantity as quantity,
               UnitPrice as unit_price
        from read_csv('{path}', header = true)
        where InvoiceNo not like 'C%' and InvoiceNo not like 'A%' and Quantity > 0
          and UnitPrice > 0 and regexp_matches(StockCode, '^[0-9]{{5}}')""")
    f = shop_figures(con)
    assert_popularity_and_prices_realistic(f)
