"""`python -m ecommerce_warehouse.publish`: build into a copy, swap it in only when green, and
serve it to long-running readers. On the tiny shop (tests/python/fixtures/tiny_shop, figures
by hand in test_tiny_shop.py), building only fct_orders and what it needs."""

import json
import shutil
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from ecommerce_warehouse import schemas
from ecommerce_warehouse.publish import mart_relations, open_published, published_columns, run_args

import dbt_runner
from dbt_runner import REPO_ROOT

TINY_SHOP = REPO_ROOT / "tests" / "python" / "fixtures" / "tiny_shop"
SELECT = ["--indirect-selection", "cautious", "--select", "+fct_orders"]
# A new order: C2 buys 3 x P1 at 10.00, net 30.00.
NEW_ORDER = "O9,1,2024-05-01 09:00:00,C2,P1,3,10.00,0,,\n"
ORDERS_SQL = "select count(*), sum(net_amount) from marts.fct_orders"


def publish(raw_dir, work_dir, *args):
    return dbt_runner.publish(raw_dir, work_dir, *SELECT, *args)


def read_in_new_process(path, sql):
    """A fresh connection in another process (DuckDB caches open databases per process)."""
    code = (f"import duckdb; print(duckdb.connect({str(path)!r}, read_only=True)"
            f".sql({sql!r}).fetchall())")
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True).stdout.strip()


@pytest.fixture(scope="module")
def shop(tmp_path_factory):
    """A published tiny shop: (raw folder, work folder holding warehouse.duckdb and exports/)."""
    return dbt_runner.published_copy(TINY_SHOP, tmp_path_factory, *SELECT)


def leftovers(work):
    """Temporary files publish would have left behind."""
    return sorted(p.name for p in [*work.glob(".*building*"), *(work / "exports").glob(".*")])


def test_marts_are_the_gold_layer_of_the_manifest(tmp_path):
    def node(path, alias, schema="marts", enabled=True):
        return {"resource_type": "model", "original_file_path": path, "alias": alias,
                "schema": schema, "config": {"enabled": enabled}}
    manifest = tmp_path / "manifest.json"
    manifest.write_text(json.dumps({"nodes": {
        "a": node("models/marts/core/fct_orders.sql", "fct_orders"),
        "b": node("models/intermediate/int_x.sql", "int_x", "internal"),
        "c": node("python_models/segments/customer_segments.py", "customer_segments"),
        "d": node("models/marts/core/off.sql", "off", enabled=False),
        "e": {**node("tests/x.sql", "x"), "resource_type": "test"},
        "f": node("models/marts/data_quality/quarantined_rows.sql", "quarantined_rows",
                  "data_quality"),
        "g": node("models/marts/retention/intermediate/int_y.sql", "int_y", "internal"),
    }}))
    assert mart_relations(manifest) == {"customer_segments": "marts", "fct_orders": "marts",
                                        "quarantined_rows": "data_quality"}


def test_money_is_published_as_decimal_and_ratios_of_money_are_not():
    assert published_columns([
        ("net_revenue", "DOUBLE"), ("unit_price", "DOUBLE"), ("line_total", "DOUBLE"),
        ("net_revenue_share", "DOUBLE"), ("net_revenue_growth", "DOUBLE"),
        ("churn_probability", "DOUBLE"), ("orders", "BIGINT"), ("order_id", "VARCHAR"),
    ]) == ('cast(round("net_revenue", 2) as decimal(18, 2)) as "net_revenue", '
           'cast(round("unit_price", 4) as decimal(18, 4)) as "unit_price", '
           'cast(round("line_total", 2) as decimal(18, 2)) as "line_total", '
           '"net_revenue_share", "net_revenue_growth", "churn_probability", "orders", "order_id"')


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
        "fct_order_lines.parquet", "fct_orders.parquet", "serving.duckdb"]
    assert duckdb.sql(f"select count(*) from '{work}/exports/fct_orders.parquet'").fetchall() \
        == [(5,)]
    # The serving file: the marts only, as views in schema marts, with their descriptions and
    # money as DECIMAL (net 63.00 as above; O1's line 1: 2 x 10.00 less 10 % = 18.00).
    with open_published(work / "exports") as con:
        assert con.sql("select table_schema, table_name, table_type from information_schema.tables"
                       " order by 2").fetchall() == [("marts", "fct_order_lines", "VIEW"),
                                                     ("marts", "fct_orders", "VIEW")]
        assert con.sql("select count(*), sum(net_amount) from fct_orders").fetchall() == [
            (5, Decimal("63.00"))]
        assert con.sql("select net_amount, unit_price from fct_order_lines "
                       "where order_id = 'O1' and line_number = 1").fetchall() == [
            (Decimal("18.00"), Decimal("10.0000"))]
        types = dict(con.sql("select column_name, data_type from duckdb_columns() "
                             "where table_name = 'fct_order_lines'").fetchall())
        assert (types["net_amount"], types["unit_price"], types["quantity"]) == (
            "DECIMAL(18,2)", "DECIMAL(18,4)", "BIGINT")
        comments = con.sql("select comment from duckdb_views() where view_name = 'fct_orders' "
                           "union all select comment from duckdb_columns() "
                           "where table_name = 'fct_orders'").fetchall()
        assert all(comment for (comment,) in comments), comments
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


# A long-running reader (a BI server): one process, a pool of two connections opened once and
# kept open, one query every 0.1 s, each answer or error printed as a JSON line; it stops on
# seeing `last` orders or after 600 s.
POOLED_READER = """
import json, sys, time
from pathlib import Path
from ecommerce_warehouse.publish import open_published
exports, last = Path(sys.argv[1]), int(sys.argv[2])
pool = [open_published(exports), open_published(exports)]
deadline = time.monotonic() + 600
for i in range(10 ** 9):
    try:
        orders, net = pool[i % 2].sql("select count(*), sum(net_amount) from fct_orders").fetchone()
        print(json.dumps({"orders": orders, "net": str(net)}), flush=True)
    except Exception as error:
        print(json.dumps({"error": repr(error)}), flush=True)
        orders = None
    if orders == last or time.monotonic() > deadline:
        break
    time.sleep(0.1)
"""


@pytest.mark.dbt
def test_a_pooled_reader_sees_each_new_build_without_reconnecting(shop):
    raw, work = shop
    # 6 orders, net 93.00 after the test above; O10 adds 1 x P1 at 10.00, O11 2 x P1 at 10.00.
    reader = subprocess.Popen([sys.executable, "-c", POOLED_READER, str(work / "exports"), "8"],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        time.sleep(1)  # the pool is open before the first build starts
        for order in ("O10,1,2024-05-02 09:00:00,C2,P1,1,10.00,0,,\n",
                      "O11,1,2024-05-03 09:00:00,C1,P1,2,10.00,0,,\n"):
            with open(raw / "order_lines.csv", "a") as lines:
                lines.write(order)
            result = publish(raw, work)
            assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
        # Bounded: the reader's next query after the second build (0.1 s apart) sees it.
        out, err = reader.communicate(timeout=30)
    finally:
        reader.kill()
    answers = [json.loads(line) for line in out.splitlines()]
    assert [a for a in answers if "error" in a] == [], err[-2000:]
    seen = [(a["orders"], a["net"]) for a in answers]
    assert seen[0] == (6, "93.00") and seen[-1] == (8, "123.00")
    # Both builds were seen, in order, by the same connections.
    assert sorted(set(seen)) == [(6, "93.00"), (7, "103.00"), (8, "123.00")]
    assert seen == sorted(seen)


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


@pytest.mark.dbt
def test_a_moved_raw_folder_stops_the_build_with_one_line_saying_what_to_do(shop, tmp_path):
    raw, work = shop
    moved = tmp_path / "moved"
    shutil.copytree(raw, moved)
    files = [work / "warehouse.duckdb", *sorted((work / "exports").glob("*"))]
    before = {path: path.read_bytes() for path in files}
    result = publish(moved, work)
    assert result.returncode != 0
    assert (f"The raw files moved: the last build read {raw / 'order_lines.csv'}, this one reads "
            f"raw_data_path = '{moved}'; run with --full-refresh") in result.stdout
    assert {path: path.read_bytes() for path in files} == before


# Measured on 2026-12-02 (DuckDB 1.5.5 writes storage format version 64): DuckDB 0.10.3,
# 1.0.0, 1.1.3, 1.4.4 and 2.0.0 opened both published files. The oldest is checked here.
OLD_DUCKDB = "1.1.3"


@pytest.mark.dbt
def test_an_older_duckdb_opens_the_published_files(shop, tmp_path):
    _, work = shop
    venv, uv = tmp_path / f"duckdb-{OLD_DUCKDB}", Path(sys.executable).parent / "uv"
    made = subprocess.run(f"{uv} venv -q --python {sys.executable} {venv} && {uv} pip install "
                          f"-q --python {venv}/bin/python duckdb=={OLD_DUCKDB}",
                          shell=True, capture_output=True, text=True, timeout=300)
    if made.returncode != 0:
        pytest.skip(f"no throwaway venv with duckdb {OLD_DUCKDB} (PyPI unreachable?): "
                    f"{made.stderr[-500:]}")
    code = ("import duckdb, sys\n"
            "for path in sys.argv[1:]:\n"
            "    con = duckdb.connect(path, read_only=True)\n"
            "    print(duckdb.__version__, con.sql('select count(*) from marts.fct_orders')"
            ".fetchone()[0])")
    opened = subprocess.run([f"{venv}/bin/python", "-c", code, str(work / "warehouse.duckdb"),
                             str(work / "exports" / "serving.duckdb")],
                            capture_output=True, text=True, timeout=120)
    assert opened.returncode == 0, opened.stderr[-2000:]
    # 8 orders: the tiny shop's 5 and O9, O10, O11 of the tests above.
    assert opened.stdout.split("\n")[:2] == [f"{OLD_DUCKDB} 8", f"{OLD_DUCKDB} 8"]
