"""A generated demo shop built with dbt (all models, all dbt tests): the warehouse must find
exactly the dirt and the totals the generator planted and wrote to its manifest."""

import json
import shutil

import duckdb
import pytest

from ecommerce_warehouse import schemas
from ecommerce_warehouse.demo_shop import generate

from dbt_runner import build_warehouse

pytestmark = pytest.mark.dbt


@pytest.fixture(scope="module")
def shop(tmp_path_factory):
    raw = tmp_path_factory.mktemp("demo_raw")
    generate(raw, customers=300, seed=11, progress=False)
    return raw, json.loads((raw / "_truth" / "manifest.json").read_text())


@pytest.fixture(scope="module")
def warehouse(shop, tmp_path_factory):
    raw, _ = shop
    path = build_warehouse(raw, tmp_path_factory.mktemp("demo_build"))
    with schemas.connect(path) as con:
        yield con


def scalar(con, sql):
    return con.sql(sql).fetchone()[0]


def test_planted_dirt_is_quarantined_exactly(shop, warehouse):
    _, manifest = shop
    dirt = manifest["dirt"]
    found = dict(((table, reason), n) for table, reason, n in warehouse.sql(
        "select source_table, reason, count(*) from quarantined_rows group by 1, 2").fetchall())
    # The generator writes unreadable dates both as text ('N/A', ...) and as empty values.
    dates = found.pop(("order_lines", "invalid_ordered_at"), 0) + found.pop(
        ("order_lines", "missing_ordered_at"), 0)
    assert dates == dirt["order_lines"]["invalid_date"]
    assert found == {
        ("order_lines", "duplicate"): dirt["order_lines"]["duplicate"],
        ("order_lines", "non_positive_price"): dirt["order_lines"]["non_positive_price"],
        ("order_lines", "outlier_quantity"): dirt["order_lines"]["outlier_quantity"],
        ("customers", "duplicate"): dirt["customers"]["duplicate"],
    }


def test_clean_facts_match_the_generators_totals(shop, warehouse):
    _, manifest = shop
    totals, dirt = manifest["clean_totals"], manifest["dirt"]["order_lines"]
    assert scalar(warehouse, "select count(*) from fct_order_lines") == totals["clean_order_lines"]
    assert scalar(warehouse, "select round(sum(gross_amount), 2) from fct_order_lines") == (
        pytest.approx(totals["clean_gross_revenue"], abs=0.005))
    assert scalar(warehouse, "select count(*) from fct_order_lines where is_guest") == (
        dirt["guest_order_lines"])
    assert scalar(warehouse, "select count(*) from fct_order_lines where is_return") == (
        dirt["return_lines"])
    assert scalar(warehouse, "select count(*) from fct_orders where is_return") == (
        dirt["return_orders"])
    assert scalar(warehouse, "select count(*) from fct_orders where not is_return") == (
        dirt["orders"])


def test_messy_text_is_normalised(shop, warehouse):
    _, manifest = shop
    clean, dirt = manifest["clean_values"], manifest["dirt"]
    changed_customers = scalar(warehouse, """
        select count(*) from int_customers_validated
        where quarantine_reason is null
          and ((raw_record ->> 'country') is distinct from country
               or (raw_record ->> 'city') is distinct from city)
    """)
    assert changed_customers == dirt["customers"]["messy_text"]
    changed_products = scalar(warehouse, """
        select count(*) from int_products_validated
        where (raw_record ->> 'category') is distinct from category
    """)
    assert changed_products == dirt["products"]["messy_text"]

    def distinct(column, table):
        return [r[0] for r in warehouse.sql(
            f"select distinct {column} from {table} where {column} is not null order by 1"
        ).fetchall()]

    # A small shop need not use every city, but every spelling left must be a clean one.
    assert set(distinct("country", "dim_customers")) <= set(clean["countries"])
    assert set(distinct("city", "dim_customers")) <= set(clean["cities"])
    assert distinct("category", "dim_products") == clean["categories"]


def test_nothing_is_lost(shop, warehouse):
    _, manifest = shop
    counts = dict(warehouse.sql(
        "select source_table, raw_rows from row_reconciliation where is_reconciled").fetchall())
    assert {f"{table}.csv": n for table, n in counts.items()} == manifest["row_counts"]


def test_parquet_exports_build_the_same_warehouse(shop, warehouse, tmp_path_factory):
    raw_parquet = tmp_path_factory.mktemp("demo_raw_parquet")
    generate(raw_parquet, customers=300, seed=11, fmt="parquet", progress=False)
    path = build_warehouse(raw_parquet, tmp_path_factory.mktemp("demo_build_parquet"),
                           extra_vars="{raw_format: parquet}")
    summary = """
        select count(*), round(sum(line_total), 6), count(distinct customer_id),
               count(*) filter (where is_return)
        from fct_order_lines
    """
    with schemas.connect(path) as parquet:
        assert parquet.sql(summary).fetchall() == warehouse.sql(summary).fetchall()
        assert parquet.sql("select count(*) from quarantined_rows").fetchall() == (
            warehouse.sql("select count(*) from quarantined_rows").fetchall())


def test_bi_tools_see_the_marts_apart_from_the_internal_layers(warehouse):
    where = dict(warehouse.sql(
        "select table_name, schema_name from duckdb_tables() union all "
        "select view_name, schema_name from duckdb_views() where not internal").fetchall())
    assert {schema for name, schema in where.items()} == {"marts", "data_quality", "internal"}
    assert (where["fct_orders"], where["kpi_monthly"], where["customer_segments"]) == (
        "marts", "marts", "marts")
    assert (where["quarantined_rows"], where["row_reconciliation"]) == (
        "data_quality", "data_quality")
    # Staging, intermediate, seeds and the time spine: none of them where BI tools look.
    internal = {name for name, schema in where.items() if schema == "internal"}
    assert {"stg_demo__order_lines", "int_order_lines_validated", "rfm_segment_map",
            "metricflow_time_spine"} <= internal
    assert not [name for name, schema in where.items()
                if schema != "internal" and name.startswith(("stg_", "int_", "base_"))]


def test_descriptions_reach_the_catalog_as_plain_text(warehouse):
    # docs/mart_columns.md: '**Net revenue** = ... (the sum of `net_amount` over all lines) ...'
    assert scalar(warehouse, "select comment from duckdb_columns() where schema_name = 'marts' "
                  "and table_name = 'kpi_monthly' and column_name = 'net_revenue'") == (
        "Net revenue = gross revenue − discounts − returns (the sum of net_amount over all "
        "lines), before tax and delivery.")
    assert scalar(warehouse, "select comment from duckdb_tables() where table_name = "
                  "'kpi_monthly'").startswith("One row per calendar month")
    missing, markdown = warehouse.sql("""
        select count(*) filter (where comment is null),
               count(*) filter (where regexp_matches(comment, '\\*\\*|`|\\]\\('))
        from duckdb_columns() where schema_name in ('marts', 'data_quality')""").fetchone()
    assert (missing, markdown) == (0, 0)


def test_every_view_works_in_a_copy_of_the_file_under_another_name(warehouse, tmp_path):
    (path,) = warehouse.sql(
        "select path from duckdb_databases() where database_name = current_database()").fetchone()
    copy = tmp_path / "renamed_copy.duckdb"
    shutil.copyfile(path, copy)
    with duckdb.connect(str(copy), read_only=True) as con:
        views = con.sql("select schema_name, view_name from duckdb_views() "
                        "where not internal").fetchall()
        assert len(views) >= 10
        for schema, view in views:  # raises if a view names the catalog "warehouse"
            con.sql(f'select count(*) from "{schema}"."{view}"').fetchall()
