"""Incremental builds give exactly the warehouse a full rebuild gives.

A small demo shop is built; then the generator appends the next day (new orders, late lines of
orders of the two days before, returns of earlier orders), this test appends dirty rows after
it (a copy of an earlier line, a line conflicting with an earlier one, an unreadable quantity,
a copy of an earlier shipment) and the warehouse is rebuilt incrementally; the same raw files
are built again with --full-refresh into another file. The validated rows (quarantine reasons
included), the quarantine and reconciliation marts and every mart of the core, sales (KPI),
retention (cohorts), customers (RFM) and products domains must be identical row for row. (The
Python models are left out to keep the test short: they read these marts and nothing the
incremental models change.)
"""

import csv
import math

import duckdb
import pytest

from ecommerce_warehouse import schemas
from ecommerce_warehouse.demo_shop import generate
from ecommerce_warehouse.demo_shop.next_day import append_next_day

from dbt_runner import run_dbt

pytestmark = pytest.mark.dbt

SELECT = ["+path:models/marts/data_quality", "+path:models/marts/core", "+path:models/marts/sales",
          "+path:models/marts/retention", "+path:models/marts/products", "+customer_rfm",
          "+segment_summary"]
COMPARED = ["int_order_lines_validated", "int_shipments_validated", "int_web_events_validated",
            "int_reviews_validated", "quarantined_rows", "row_reconciliation", "fct_order_lines",
            "fct_orders", "dim_customers", "dim_products", "kpi_daily",
            "kpi_weekly", "kpi_monthly", "kpi_monthly_by_category", "kpi_monthly_by_country",
            "sales_by_weekday_hour", "cohort_retention", "customer_acquisition_monthly",
            "churn_summary", "customer_features", "customer_rfm", "segment_summary",
            "product_performance", "category_performance", "price_band_performance"]


def dbt_run(raw, work, *extra):
    result = run_dbt(["build", "--exclude-resource-type", "test", "unit_test", "--select", *SELECT,
                      *extra], raw, work)
    assert result.returncode == 0, f"dbt build failed:\n{result.stdout[-6000:]}"
    return result.stdout


@pytest.fixture(scope="module")
def builds(tmp_path_factory):
    raw = tmp_path_factory.mktemp("shop")
    generate(raw, customers=200, seed=5, progress=False)
    incremental = tmp_path_factory.mktemp("incremental")
    dbt_run(raw, incremental)
    day = append_next_day(raw, late_days=2)
    dirty = append_dirty_rows(raw, clean_rows_of(incremental / "warehouse.duckdb"))
    log = dbt_run(raw, incremental)
    full = tmp_path_factory.mktemp("full")
    dbt_run(raw, full, "--full-refresh")
    con = duckdb.connect()
    con.sql(f"attach '{incremental / 'warehouse.duckdb'}' as inc (read_only)")
    con.sql(f"attach '{full / 'warehouse.duckdb'}' as rebuilt (read_only)")
    yield raw, day, log, con, dirty
    con.close()


def clean_rows_of(warehouse):
    """{entity: the row numbers of its first 10 clean raw rows} (the generator plants dirt)."""
    with schemas.connect(warehouse) as con:
        return {name: [n for (n,) in con.sql(f"""
            select source_row_number from int_{name}_validated
            where quarantine_reason is null order by 1 limit 10""").fetchall()]
                for name in ("order_lines", "shipments")}


def append_dirty_rows(raw, clean):
    """Appends to order_lines.csv a copy of a clean line, a clean line with another quantity,
    and a line with an unreadable quantity; and to shipments.csv a copy of a clean row.
    Returns {(file, row number): the quarantine reason the rows must get}."""
    appended = {}
    for name, make_rows in (("order_lines", dirty_order_lines), ("shipments", dirty_shipments)):
        path = raw / f"{name}.csv"
        with open(path, newline="") as f:
            existing = list(csv.reader(f))
        header, body = existing[0], existing[1:]
        new = make_rows(header, [body[n - 1] for n in clean[name]])
        with open(path, "a", newline="") as f:
            csv.writer(f, lineterminator="\n").writerows(row for row, _ in new)
        for offset, (_, reason) in enumerate(new, start=1):
            appended[(name, len(body) + offset)] = reason
    return appended


def dirty_order_lines(header, clean):
    quantity = header.index("quantity")
    conflicting = list(clean[1])
    conflicting[quantity] = str(int(conflicting[quantity]) + 1)
    unreadable = list(clean[2])
    unreadable[header.index("line_number")] = "99"
    unreadable[quantity] = "two"
    return [(clean[0], "duplicate"), (conflicting, "conflicting_duplicate"),
            (unreadable, "invalid_quantity")]


def dirty_shipments(header, clean):
    return [(clean[0], "duplicate")]


def test_appended_dirty_rows_are_quarantined_like_a_full_build_does(builds):
    *_, con, dirty = builds
    for database in ("inc", "rebuilt"):
        for (name, row_number), reason in dirty.items():
            found = con.sql(f"""
                select quarantine_reason from {database}.internal.int_{name}_validated
                where source_row_number = {row_number}""").fetchall()
            assert found == [(reason,)], (database, name, row_number)


def test_the_next_day_holds_new_orders_late_lines_and_returns(builds):
    _, day, log, *_ = builds
    assert day["new_orders"] >= 1 and day["late_lines"] and day["return_orders"]
    # The second run really was incremental (dbt-duckdb reports it as an insert).
    for model in ("marts.fct_order_lines", "internal.int_order_lines_validated",
                  "internal.int_web_events_validated"):
        assert f"incremental model {model}" in log


def sorted_rows(con, database, table):
    """The table's rows, its doubles last, sorted by the other columns first; the number of
    other columns."""
    (schema,) = con.execute("select schema_name from duckdb_tables() "
                            "where database_name = ? and table_name = ?",
                            [database, table]).fetchone()
    table = f"{schema}.{table}"
    described = con.sql(f"describe {database}.{table}").fetchall()
    exact = [name for name, kind, *_ in described if kind != "DOUBLE"]
    names = exact + [name for name, kind, *_ in described if kind == "DOUBLE"]
    return names, len(exact), con.sql(
        f"select {', '.join(names)} from {database}.{table} order by all").fetchall()


@pytest.mark.parametrize("table", COMPARED)
def test_incremental_equals_full_refresh(builds, table):
    *_, con, _ = builds
    names, n_exact, incremental = sorted_rows(con, "inc", table)
    _, _, full = sorted_rows(con, "rebuilt", table)
    assert len(full) > 0 and len(incremental) == len(full)
    for inc_row, full_row in zip(incremental, full, strict=True):
        # Doubles to 1e-9 relative: a sum of doubles depends on the order it adds rows in
        # (23.994000000000003 vs 23.994), which differs between two builds; the rest exactly.
        same = inc_row[:n_exact] == full_row[:n_exact] and all(
            a == b or (a is not None and b is not None and math.isclose(a, b, rel_tol=1e-9))
            for a, b in zip(inc_row[n_exact:], full_row[n_exact:], strict=True))
        # strict=False: a message of the differences, never an error of its own
        assert same, {name: (a, b) for name, a, b in zip(names, inc_row, full_row, strict=False)
                      if a != b}


def test_late_lines_and_returns_reach_the_facts(builds):
    raw, day, _, con, _ = builds
    with open(raw / "order_lines.csv", newline="") as f:
        raw_lines = list(csv.DictReader(f))
    # The late lines' orders are dated before the new day: only the lookback brings them in.
    for line_id in day["late_lines"]:
        order_id = line_id.rsplit("-", 1)[0]
        order_date, line_count = con.sql(f"""
            select cast(order_date as varchar), line_count
            from inc.marts.fct_orders where order_id = '{order_id}'""").fetchone()
        assert order_date < day["date"]
        # Counted from the raw file: the order's distinct line numbers.
        assert line_count == len({r["line_number"] for r in raw_lines if r["order_id"] == order_id})
    for order_id in day["return_orders"]:
        is_return, order_date, customer_order_number = con.sql(f"""
            select is_return, cast(order_date as varchar), customer_order_number
            from inc.marts.fct_orders where order_id = '{order_id}'""").fetchone()
        assert (is_return, order_date, customer_order_number) == (True, day["date"], None)


def test_the_daily_refresh_leaves_out_the_python_models_and_what_reads_them(tmp_path):
    result = run_dbt(["ls", "--selector", "daily_refresh", "--resource-type", "model",
                      "--output", "name"], tmp_path, tmp_path)
    assert result.returncode == 0, result.stdout[-3000:]
    listed = set(result.stdout.split())
    assert {"int_order_lines_validated", "int_web_events_validated", "fct_order_lines",
            "fct_orders", "kpi_daily", "customer_rfm", "quarantined_rows"} <= listed
    assert not {"customer_segments", "basket_rules", "churn_predictions", "model_metrics",
                "product_bundles", "customer_segment_profiles"} & listed
