"""`python -m ecommerce_warehouse.publish`: build into a copy, swap it in only when green.
On the tiny shop (tests/python/fixtures/tiny_shop, figures by hand in test_tiny_shop.py),
building only fct_orders and what it needs."""

import json
import shutil
import subprocess
import sys

import duckdb
import pytest

from dbt_runner import REPO_ROOT, dbt_env
from ecommerce_warehouse.publish import mart_names, run_args
from ecommerce_warehouse import schemas

TINY_SHOP = REPO_ROOT / "tests" / "python" / "fixtures" / "tiny_shop"
SELECT = ["--indirect-selection", "cautious", "--select", "+fct_orders"]
# A new order: C2 buys 3 x P1 at 10.00, net 30.00.
NEW_ORDER = "O9,1,2024-05-01 09:00:00,C2,P1,3,10.00,0,,\n"
ORDERS_SQL = "select count(*), sum(net_amount) from fct_orders"


def publish(raw_dir, work_dir, *args):
    return subprocess.run(
        [sys.executable, "-m", "ecommerce_warehouse.publish", *SELECT, *args],
        # `make test` exports WAREHOUSE_EXPORTS_PATH (the repo's exports/): the test's own wins
        env={**dbt_env(raw_dir, work_dir), "WAREHOUSE_EXPORTS_PATH": str(work_dir / "exports")},
        capture_output=True, text=True, timeout=900)


def read_in_new_process(path, sql):
    """A fresh connection in another process (DuckDB caches open databases per process)."""
    code = f"import duckdb; print(duckdb.connect({str(path)!r}, read_only=True).sql({sql!r}).fetchall())"
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True).stdout.strip()


@pytest.fixture(scope="module")
def shop(tmp_path_factory):
    """A published tiny shop: (raw folder, work folder holding warehouse.duckdb and exports/)."""
    raw = tmp_path_factory.mktemp("raw")
    shutil.copytree(TINY_SHOP, raw, dirs_exist_ok=True)
    work = tmp_path_factory.mktemp("work")
    result = publish(raw, work)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    return raw, work


def leftovers(work):
    """Temporary files publish would have left behind."""
    return sorted(p.name for p in [*work.glob(".*building*"), *(work / "exports").glob(".*")])


def test_marts_are_the_gold_layer_of_the_manifest(tmp_path):
    def node(path, alias, enabled=True):
        return {"resource_type": "model", "original_file_path": path, "alias": alias,
                "config": {"enabled": enabled}}
    manifest = tmp_path / "manifest.json"
    manifest.write_text(json.dumps({"nodes": {
        "a": node("models/marts/core/fct_orders.sql", "fct_orders"),
        "b": node("models/intermediate/int_x.sql", "int_x"),
        "c": node("python_models/customer_segments.py", "customer_segments"),
        "d": node("models/marts/core/off.sql", "off", enabled=False),
        "e": {**node("tests/x.sql", "x"), "resource_type": "test"},
    }}))
    assert mart_names(manifest) == ["customer_segments", "fct_orders"]


def test_docs_get_the_builds_vars_and_target_not_its_selection():
    assert run_args(["--select", "+fct_orders", "--vars", "{a: 1}", "--target=dev",
                     "--indirect-selection", "cautious", "--profiles-dir", "p"]) == [
        "--vars", "{a: 1}", "--target=dev", "--profiles-dir", "p"]


@pytest.mark.dbt
def test_first_publish_writes_the_warehouse_and_the_mart_exports(shop):
    _, work = shop
    with schemas.connect(work / "warehouse.duckdb") as con:
        assert con.sql(ORDERS_SQL).fetchall() == [(5, pytest.approx(63.0))]  # 18+20+20+20+5-20
    # Only the gold layer is exported, not the staging and intermediate models it needs.
    assert sorted(p.name for p in (work / "exports").iterdir()) == [
        "fct_order_lines.parquet", "fct_orders.parquet"]
    assert duckdb.sql(f"select count(*) from '{work}/exports/fct_orders.parquet'").fetchall() \
        == [(5,)]
    assert leftovers(work) == []


@pytest.mark.dbt
def test_a_reader_keeps_its_snapshot_while_a_rebuild_swaps_in_new_data(shop):
    raw, work = shop
    warehouse = work / "warehouse.duckdb"
    with schemas.connect(warehouse) as reader:
        before = reader.sql(ORDERS_SQL).fetchall()
        with open(raw / "order_lines.csv", "a") as lines:
            lines.write(NEW_ORDER)
        # A read-only connection locks the file: dbt writing into it would fail. Not the copy.
        result = publish(raw, work)
        assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
        assert reader.sql(ORDERS_SQL).fetchall() == before  # the old, complete snapshot
    assert read_in_new_process(warehouse, ORDERS_SQL) == "[(6, 93.0)]"
    assert duckdb.sql(f"select count(*), sum(net_amount) "
                      f"from '{work}/exports/fct_orders.parquet'").fetchall() == [(6, 93.0)]
    assert leftovers(work) == []


@pytest.mark.dbt
def test_a_build_failing_midway_leaves_warehouse_and_exports_untouched(shop):
    raw, work = shop
    files = [work / "warehouse.duckdb", *sorted((work / "exports").glob("*.parquet"))]
    before = {path: path.read_bytes() for path in files}
    # Breaks the SQL of int_order_lines_cleaned: seeds and staging views are already built.
    result = publish(raw, work, "--vars", '{max_line_quantity: "1 +"}')
    assert result.returncode != 0
    assert "int_order_lines_cleaned" in result.stdout  # dbt's own message is shown
    assert "kept the previous warehouse" in result.stderr
    assert {path: path.read_bytes() for path in files} == before
    assert sorted((work / "exports").glob("*.parquet")) == files[1:]
    assert leftovers(work) == []
