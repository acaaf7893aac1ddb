"""The mapped source reads Parquet, .xlsx (DuckDB's excel extension from its PyPI wheel) and
gzipped CSV as it reads CSV: the Shopify fixture written in each format gives the same
validated order lines as the CSV (14 staged: 11 file rows + 1 reversal + 2 refunds, 1
quarantined, see test_source_shopify.py). Only the staging and validation models are built."""

import gzip
import os

import duckdb
import pytest

from ecommerce_warehouse import schemas

from dbt_runner import REPO_ROOT, build_warehouse, mapped_vars, rows, shipped_mapping

FIXTURE = REPO_ROOT / "tests" / "python" / "fixtures" / "shopify"
pytestmark = pytest.mark.dbt


def write_as(fmt: str, raw):
    """The fixture export in fmt, every column text (as the platform writes it)."""
    csv = FIXTURE / "orders_export_1.csv"
    target = raw / f"orders_export_1.{fmt}"
    if fmt == "csv.gz":
        with gzip.open(target, "wb") as out:
            out.write(csv.read_bytes())
        return
    con = duckdb.connect()
    if fmt == "xlsx":
        con.sql(f"load '{os.environ['DUCKDB_EXCEL_EXTENSION']}'")
        options = "format xlsx, header true"
    else:
        options = "format parquet"
    con.sql(f"copy (select * from read_csv('{csv}', all_varchar = true)) to '{target}' ({options})")


@pytest.mark.parametrize("fmt", ["parquet", "xlsx", "csv.gz"])
def test_each_format_gives_the_csv_lines(fmt, tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    write_as(fmt, raw)
    mapping = shipped_mapping("shopify", tmp_path, {"EUR": 1.10}, f"orders_export*.{fmt}")
    path = build_warehouse(raw, tmp_path, extra_vars=mapped_vars(mapping),
                           select=["base_mapped__order_lines", "stg_mapped__order_lines",
                                   "int_order_lines_validated"])
    con = schemas.connect(path)
    assert rows(con, """
        select count(*), count(quarantine_reason), round(sum(quantity * unit_price), 6)
        from int_order_lines_validated""") == [
        # clean lines: 65 + 103 + 80 placed (kpi_monthly gross, test_source_shopify.py)
        # - 42.50 refunds - 30 reversal = 175.50; #1008's price is not a number.
        (14, 1, 175.5)]
