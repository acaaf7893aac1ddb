"""Incremental builds give exactly the warehouse a full rebuild gives.

A small demo shop is built; then the generator appends the next day (new orders, late lines of
orders of the two days before, returns of earlier orders) and the warehouse is rebuilt
incrementally; the same raw files are built again with --full-refresh into another file.
Every mart of the core, sales (KPI), retention (cohorts), customers (RFM) and products
domains must be identical row for row. (The Python models are left out to keep the test
short: they read these marts and nothing the incremental models change.)
"""

import csv
import math

import duckdb
import pytest

from dbt_runner import run_dbt
from ecommerce_warehouse.demo_shop import generate
from ecommerce_warehouse.demo_shop.next_day import append_next_day

pytestmark = pytest.mark.dbt

SELECT = ["+path:models/marts/core", "+path:models/marts/sales", "+path:models/marts/retention",
          "+path:models/marts/products", "+customer_rfm", "+segment_summary"]
COMPARED = ["fct_order_lines", "fct_orders", "dim_customers", "dim_products", "kpi_daily",
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
    log = dbt_run(raw, incremental)
    full = tmp_path_factory.mktemp("full")
    dbt_run(raw, full, "--full-refresh")
    con = duckdb.connect()
    con.sql(f"attach '{incremental / 'warehouse.duckdb'}' as inc (read_only)")
    con.sql(f"attach '{full / 'warehouse.duckdb'}' as rebuilt (read_only)")
    yield raw, day, log, con
    con.close()


def test_the_next_day_holds_new_orders_late_lines_and_returns(builds):
    _, day, log, _ = builds
    assert day["new_orders"] >= 1 and day["late_lines"] and day["return_orders"]
    # The second run really was incremental (dbt-duckdb reports it as an insert).
    assert "incremental model main.fct_order_lines" in log


def sorted_rows(con, database, table):
    """The table's rows, its doubles last, sorted by the other columns first; the number of
    other columns."""
    described = con.sql(f"describe {database}.{table}").fetchall()
    exact = [name for name, kind, *_ in described if kind != "DOUBLE"]
    names = exact + [name for name, kind, *_ in described if kind == "DOUBLE"]
    return names, len(exact), con.sql(
        f"select {', '.join(names)} from {database}.{table} order by all").fetchall()


@pytest.mark.parametrize("table", COMPARED)
def test_incremental_equals_full_refresh(builds, table):
    *_, con = builds
    names, n_exact, incremental = sorted_rows(con, "inc", table)
    _, _, full = sorted_rows(con, "rebuilt", table)
    assert len(full) > 0 and len(incremental) == len(full)
    for inc_row, full_row in zip(incremental, full):
        # Doubles to 1e-9 relative: a sum of doubles depends on the order it adds rows in
        # (23.994000000000003 vs 23.994), which differs between two builds; the rest exactly.
        same = inc_row[:n_exact] == full_row[:n_exact] and all(
            a == b or (a is not None and b is not None and math.isclose(a, b, rel_tol=1e-9))
            for a, b in zip(inc_row[n_exact:], full_row[n_exact:]))
        assert same, {name: (a, b) for name, a, b in zip(names, inc_row, full_row) if a != b}


def test_late_lines_and_returns_reach_the_facts(builds):
    raw, day, _, con = builds
    with open(raw / "order_lines.csv", newline="") as f:
        raw_lines = list(csv.DictReader(f))
    # The late lines' orders are dated before the new day: only the lookback brings them in.
    for line_id in day["late_lines"]:
        order_id = line_id.rsplit("-", 1)[0]
        order_date, line_count = con.sql(f"""
            select cast(order_date as varchar), line_count
            from inc.fct_orders where order_id = '{order_id}'""").fetchone()
        assert order_date < day["date"]
        # Counted from the raw file: the order's distinct line numbers.
        assert line_count == len({r["line_number"] for r in raw_lines if r["order_id"] == order_id})
    for order_id in day["return_orders"]:
        is_return, order_date, customer_order_number = con.sql(f"""
            select is_return, cast(order_date as varchar), customer_order_number
            from inc.fct_orders where order_id = '{order_id}'""").fetchone()
        assert (is_return, order_date, customer_order_number) == (True, day["date"], None)
