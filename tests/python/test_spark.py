"""The SQL layer on Apache Spark (dbt-spark, `session` method: a local Spark in the dbt process).

One small demo shop is built twice: on the spark target (every SQL model and every dbt test;
the dbt Python models are disabled there) and on DuckDB (the compared marts and their
upstream). The core, KPI, cohort and RFM marts must then hold the same rows on both engines:
exact for keys, counts, dates and text, 1e-9 relative for money and rates. A broken raw folder
is refused on Spark as on DuckDB, with the files and columns named.

Needs the Spark extra (`make venv-spark`) and Java 17+; skipped with the reason otherwise.
"""

from __future__ import annotations

import importlib.util
import math
import shutil
from pathlib import Path

import duckdb
import pytest
import yaml

from ecommerce_warehouse import schemas
from ecommerce_warehouse.demo_shop import generate

from dbt_runner import REPO_ROOT, build_warehouse, run_dbt

# The marts compared, with the columns that identify a row (their tested unique keys).
COMPARED_MARTS = {
    # core
    "fct_order_lines": ["order_line_id"],
    "fct_orders": ["order_id"],
    "dim_customers": ["customer_id"],
    "dim_products": ["product_id"],
    "dim_date": ["date_day"],
    # KPIs
    "kpi_daily": ["date_day"],
    "kpi_weekly": ["week_start_date"],
    "kpi_monthly": ["month_start_date"],
    "kpi_monthly_by_category": ["month_start_date", "category"],
    "kpi_monthly_by_country": ["month_start_date", "country"],
    "sales_by_weekday_hour": ["day_of_week", "hour_of_day"],
    # cohorts
    "cohort_retention": ["cohort_month", "months_since_first_order"],
    "customer_acquisition_monthly": ["month_start_date"],
    # RFM
    "customer_features": ["customer_id"],
    "customer_rfm": ["customer_id"],
    "segment_summary": ["segment_type", "segment"],
}
RELATIVE_TOLERANCE = 1e-9
# Below this, two floats count as equal whatever their ratio (sums that should be zero).
ABSOLUTE_TOLERANCE = 1e-9


def spark_unavailable() -> str | None:
    """Why the Spark tests cannot run here, or None."""
    if shutil.which("java") is None:
        return "no java on PATH: the Spark target needs Java 17+"
    if importlib.util.find_spec("pyspark") is None or (
            importlib.util.find_spec("dbt.adapters.spark") is None):
        return "dbt-spark / pyspark not installed: `make venv-spark` installs the Spark extra"
    return None


needs_spark = pytest.mark.skipif(spark_unavailable() is not None,
                                 reason=str(spark_unavailable()))


def test_every_python_model_folder_is_a_mart_folder_disabled_on_spark():
    """dbt_project.yml disables each folder of python_models/ on the spark target and puts it in
    schema marts. A Python model left enabled there fails the Spark build below (dbt-spark
    wants a Databricks cluster_id); this check is for what nothing else would notice: a Python
    model at the top of python_models/ or in a folder without its entry builds into schema
    internal on DuckDB, and a folder named like a top-level folder of models/ would take that
    folder's config (folder keys are relative to each model path)."""
    project = yaml.safe_load((REPO_ROOT / "dbt_project.yml").read_text())
    configs = project["models"]["ecommerce_warehouse"]
    root = REPO_ROOT / "python_models"
    assert not sorted(root.glob("*.py")), "a Python model at the top of python_models/"
    folders = sorted({path.relative_to(root).parts[0] for path in root.rglob("*.py")})
    assert folders, "no Python model found"
    sql_folders = {path.name for path in (REPO_ROOT / "models").iterdir() if path.is_dir()}
    for folder in folders:
        assert folder not in sql_folders, (
            f"python_models/{folder}/ shares its config key with models/{folder}/")
        assert configs.get(folder) == {"+enabled": "{{ target.type != 'spark' }}",
                                       "+schema": "marts"}, (
            f"python_models/{folder}/ is not disabled on spark and in schema marts in "
            "dbt_project.yml")


@pytest.fixture(scope="module")
def shop(tmp_path_factory):
    raw = tmp_path_factory.mktemp("spark_raw")
    generate(raw, customers=300, seed=23, progress=False)
    return raw


def spark_env(work: Path) -> dict[str, str]:
    """Spark's tables, metastore and dbt's target folder (its own: a parse for another target
    would undo the DuckDB builds' partial parsing) under work."""
    return {"SPARK_WAREHOUSE_DIR": str(work / "spark-warehouse"),
            "SPARK_METASTORE_DIR": str(work / "spark-metastore"),
            "DBT_TARGET_PATH": str(work / "target"),
            # A few hundred customers: one partition per shuffle spares Spark's task overhead,
            # and each of the build's ~335 queries is cheaper without adaptive re-planning and
            # whole-stage code generation (compiled per query, worth it only on big data). The
            # tables stay Parquet files under SPARK_WAREHOUSE_DIR (what the comparison reads);
            # an in-memory catalog spares the Derby metastore, which no later run here reads.
            "SPARK_SHUFFLE_PARTITIONS": "1",
            "SPARK_ADAPTIVE": "false",
            "SPARK_WHOLE_STAGE_CODEGEN": "false",
            "SPARK_CATALOG": "in-memory"}


@pytest.fixture(scope="module")
def spark_build(shop, tmp_path_factory):
    """Every enabled model and test on the spark target; the folder of its tables' files."""
    work = tmp_path_factory.mktemp("spark_build")
    # Each model and test is a Spark job with its overhead: minutes, not seconds.
    result = run_dbt(["build", "--target", "spark"], shop, work, env=spark_env(work),
                     timeout=2700)
    assert result.returncode == 0, (
        f"dbt build on spark failed:\n{result.stdout[-8000:]}\n{result.stderr[-2000:]}")
    return work / "spark-warehouse" / "analytics.db"


@pytest.fixture(scope="module")
def duckdb_build(shop, tmp_path_factory):
    path = build_warehouse(shop, tmp_path_factory.mktemp("duckdb_build"),
                           select=[f"+{mart}" for mart in COMPARED_MARTS])
    with schemas.connect(path) as con:
        yield con


def same_value(left, right) -> bool:
    if isinstance(left, float) or isinstance(right, float):
        if left is None or right is None:
            return left is right
        return math.isclose(left, right, rel_tol=RELATIVE_TOLERANCE,
                            abs_tol=ABSOLUTE_TOLERANCE)
    return left == right


@needs_spark
@pytest.mark.dbt
@pytest.mark.parametrize("mart", list(COMPARED_MARTS))
def test_spark_gives_the_same_rows_as_duckdb(mart, spark_build, duckdb_build):
    keys = COMPARED_MARTS[mart]
    columns = [row[0] for row in duckdb_build.sql(f"describe {mart}").fetchall()]
    order = ", ".join(keys)
    expected = duckdb_build.sql(
        f"select {', '.join(columns)} from {mart} order by {order}").fetchall()
    # Spark's tables are Parquet files: DuckDB reads them in place, no second Spark session.
    files = spark_build / mart
    assert files.is_dir(), f"spark built no table {mart} (looked in {files})"
    spark_columns = [row[0] for row in duckdb.sql(
        f"describe select * from read_parquet('{files}/*.parquet')").fetchall()]
    assert spark_columns == columns
    actual = duckdb.sql(f"select {', '.join(columns)} from read_parquet('{files}/*.parquet') "
                        f"order by {order}").fetchall()
    assert len(actual) == len(expected), f"{mart}: {len(actual)} rows on spark, {len(expected)}"
    assert expected, f"{mart} is empty: nothing compared"
    for spark_row, duckdb_row in zip(actual, expected, strict=True):
        key = {name: duckdb_row[columns.index(name)] for name in keys}
        for column, spark_value, duckdb_value in zip(columns, spark_row, duckdb_row, strict=True):
            assert same_value(spark_value, duckdb_value), (
                f"{mart}.{column} at {key}: spark {spark_value!r}, duckdb {duckdb_value!r}")


@needs_spark
@pytest.mark.dbt
def test_spark_refuses_missing_and_malformed_raw_files(shop, tmp_path):
    """The Spark form of check_raw_files stops the build with the files and columns named."""
    raw = tmp_path / "raw"
    shutil.copytree(shop, raw)
    (raw / "products.csv").unlink()
    tax_rates = raw / "tax_rates.csv"
    header, *lines = tax_rates.read_text().splitlines(keepends=True)
    tax_rates.write_text(header.replace("tax_rate", "rate") + "".join(lines))
    result = run_dbt(["build", "--target", "spark", "--select", "stg_demo__tax_rates"], raw,
                     tmp_path, env=spark_env(tmp_path))
    assert result.returncode != 0
    assert f"file not found, or empty (not even a header row): {raw}/products.csv" in result.stdout
    assert (f"{raw}/tax_rates.csv: missing column(s) tax_rate (header has: category, rate)"
            in result.stdout)
