"""A shop with no sales yet (every export holds its header only) builds: the marts are empty,
"today" is today, and the build warns that there is no clean order line."""

import datetime

from ecommerce_warehouse import dbt_build, schemas

from dbt_runner import REPO_ROOT, rows, run_dbt

TINY_SHOP = REPO_ROOT / "tests" / "python" / "fixtures" / "tiny_shop"


def test_an_export_of_headers_only_builds_empty_marts(tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    for export in TINY_SHOP.glob("*.csv"):
        header = export.read_text().splitlines()[0]
        (raw / export.name).write_text(header + "\n")
    result = run_dbt(dbt_build.build_args(["+int_as_of_date", "+dim_date", "+kpi_monthly",
                                           "+cohort_retention", "+row_reconciliation"]),
                     raw, tmp_path / "work")
    assert result.returncode == 0, result.stdout[-4000:]
    assert "WARN 1 has_rows_int_order_lines_cleaned" in result.stdout
    con = schemas.connect(tmp_path / "work" / "warehouse.duckdb")
    assert rows(con, "select as_of_date from int_as_of_date") == [(datetime.date.today(),)]
    for mart in ["dim_date", "kpi_monthly", "cohort_retention", "quarantined_rows"]:
        assert rows(con, f"select count(*) from {mart}") == [(0,)], mart
    # nothing raw, nothing clean, nothing lost
    assert rows(con, """
        select count(*), sum(raw_rows), bool_and(raw_rows = clean_rows + quarantined_rows)
        from row_reconciliation""") == [(10, 0, True)]  # the 10 canonical entities
