"""Build the warehouse without ever blocking a reader or showing a half-finished build, and
serve it so that long-running readers see every new build.

``python -m ecommerce_warehouse.publish [--exports DIR] [--docs] [dbt build arguments...]``
(what ``make build`` runs, with ``--docs``):

1. copy the current warehouse (``DBT_DUCKDB_PATH``), if any, into a fresh folder next to it,
   so that incremental models start from the previous state;
2. ``dbt build`` into that copy (``DBT_DUCKDB_PATH`` pointed at it): BI tools holding the
   current file are not in the way, since nobody else holds the copy;
3. with ``--docs``, ``dbt docs generate --static`` on the copy too (the catalog needs a
   read-write connection, which a reader of the current file would block);
4. only if every step succeeded: export the gold marts (every model under
   ``models/marts`` and ``python_models``, from dbt's manifest) to ``DIR/<mart>.parquet`` and
   write the serving file ``DIR/serving.duckdb`` (one view per mart, in the mart's schema,
   reading its Parquet export, with the mart's descriptions as comments), all in a staging
   folder first; then ``os.replace()`` the copy over the warehouse, each Parquet file over its
   previous version and the serving file over its previous version.

``os.replace`` is an atomic rename: a new connection opens either the old or the new file,
never a mixture. On failure the previous warehouse and exports stay as they were, the copy is
removed and the exit status is dbt's (its message is printed above).

Why the serving file: DuckDB keeps one database per file per process, so a process that holds
any connection to ``warehouse.duckdb`` (a BI server's pool) keeps reading the replaced, deleted
file, however often it reconnects, until every connection is closed. The serving file's views
read the Parquet files by name on every query, so such a process sees a new build with its
next query, without reconnecting (``open_published``; tests/python/test_publish.py).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import duckdb

from ecommerce_warehouse import schemas
from ecommerce_warehouse.paths import REPO_ROOT, configure_environment

# The gold layer: what BI tools read (the README's mart tables), by the schema dbt builds it
# into (a mart domain's own intermediate models, models/marts/<domain>/intermediate/, are
# built into schema internal and stay unpublished).
MART_SCHEMAS = (schemas.MARTS, schemas.DATA_QUALITY)
SERVING_FILE = "serving.duckdb"
# Money leaves the warehouse as DECIMAL: the marts compute in DOUBLE (their contracts), the
# published marts (Parquet exports, serving views) hold money rounded to cents, so that a BI
# tool shows 235584.92, not 235584.91800000274; unit prices keep 4 decimals (some shops sell
# at 0.001). A money column is named so (the naming convention: amounts, revenue, prices,
# spend, charges, totals, costs, CLV, monetary value, order values), unless it is a ratio of
# money (share, growth, rate, correlation, retention, percentile).
MONEY_TYPE, PRICE_TYPE = (18, 2), (18, 4)
MONEY_NAME = re.compile(r"amount|revenue|price|spend|charge|total|net_sales|_cost|clv|"
                        r"monetary|order_value|repeat_value")
RATIO_NAME = re.compile(r"(share|growth|rate|correlation|retention|percentile)$")


def default_exports_dir(warehouse: Path) -> Path:
    """`exports/` beside the warehouse file, unless WAREHOUSE_EXPORTS_PATH says otherwise."""
    return Path(os.environ.get("WAREHOUSE_EXPORTS_PATH") or warehouse.parent / "exports")


def serving_path(exports: Path | None = None) -> Path:
    """The published serving file: what a long-running reader opens."""
    if exports is None:
        configure_environment()
        exports = default_exports_dir(Path(os.environ["DBT_DUCKDB_PATH"]))
    return exports / SERVING_FILE


def open_published(exports: Path | None = None) -> duckdb.DuckDBPyConnection:
    """A read-only connection to the current published warehouse: its marts by bare name
    (`kpi_monthly`) or schema-qualified (`marts.kpi_monthly`). Every query reads the latest
    published build, also on a connection (or pool) kept open across builds."""
    path = serving_path(exports)
    if not path.exists():
        raise FileNotFoundError(f"no published warehouse at {path}: run `make build` first")
    con = duckdb.connect(str(path), read_only=True)
    schemas.search(con, (schemas.MARTS, schemas.DATA_QUALITY))
    return con


def mart_relations(manifest_path: Path) -> dict[str, str]:
    """{relation name: schema} of the enabled models of the gold layer in a dbt manifest."""
    manifest = json.loads(manifest_path.read_text())
    return dict(sorted(
        (node["alias"], node["schema"])
        for node in manifest["nodes"].values()
        if node["resource_type"] == "model"
        and node["schema"] in MART_SCHEMAS
        and node["config"].get("enabled", True)
    ))


def copy_previous(warehouse: Path, building: Path) -> None:
    """The starting state of the build: a copy of the warehouse (and of its write-ahead log,
    if a writer left one), or nothing for a first build."""
    for suffix in ("", ".wal"):
        source = Path(str(warehouse) + suffix)
        if source.exists():
            shutil.copyfile(source, str(building) + suffix)


def money_type(column: str) -> tuple[int, int] | None:
    """(precision, scale) of the published DECIMAL of a money column; None for other columns."""
    if not MONEY_NAME.search(column) or RATIO_NAME.search(column):
        return None
    return PRICE_TYPE if "price" in column else MONEY_TYPE


def published_columns(columns: list[tuple[str, str]]) -> str:
    """The select list of a published mart, from its (name, DuckDB type) columns."""
    selected = []
    for name, kind in columns:
        money = money_type(name) if kind == "DOUBLE" else None
        selected.append(f'cast(round("{name}", {money[1]}) as decimal{money}) as "{name}"'
                        if money else f'"{name}"')
    return ", ".join(selected)


def sql_text(value: str) -> str:
    """`value` as a SQL string literal (single quotes doubled)."""
    return "'" + value.replace("'", "''") + "'"


def export_marts(database: Path, marts: dict[str, str], staging: Path,
                 exports: Path) -> tuple[list[str], list[str]]:
    """Write each mart present in the database to staging/<mart>.parquet. Returns the names
    written and the statements of the serving file: per mart a view `<schema>.<mart>` over
    exports/<mart>.parquet (where swap_in puts it), with the mart's table and column comments.
    Also checkpoints the database, so that no write-ahead log is left beside it."""
    with duckdb.connect(str(database)) as con:
        con.execute("checkpoint")
        present = set(con.execute(
            "select table_name, schema_name from duckdb_tables()").fetchall())
        written = {mart: schema for mart, schema in marts.items() if (mart, schema) in present}
        serving = [f'create schema "{schema}"' for schema in sorted(set(written.values()))]
        for mart, schema in written.items():
            columns = con.execute("select column_name, data_type from duckdb_columns() where "
                                  "schema_name = ? and table_name = ? order by column_index",
                                  [schema, mart]).fetchall()
            con.execute(f'copy (select {published_columns(columns)} from "{schema}"."{mart}") '
                        f'to {sql_text(str(staging / f"{mart}.parquet"))} (format parquet)')
            view = f'"{schema}"."{mart}"'
            serving.append(f"create view {view} as select * from "
                           f'read_parquet({sql_text(str(exports / f"{mart}.parquet"))})')
            table = con.execute("select comment from duckdb_tables() where schema_name = ? "
                                "and table_name = ?", [schema, mart]).fetchone()
            assert table is not None    # the mart is in `present`, read from duckdb_tables()
            (comment,) = table
            if comment:
                serving.append(f"comment on view {view} is {sql_text(comment)}")
            serving += [f'comment on column {view}."{column}" is {sql_text(comment)}'
                        for column, comment in con.execute(
                            "select column_name, comment from duckdb_columns() where schema_name"
                            " = ? and table_name = ? and comment is not null order by column_index",
                            [schema, mart]).fetchall()]
    return list(written), serving


def swap_in(building: Path, warehouse: Path, staging: Path, exports: Path,
            written: list[str], serving: list[str]) -> None:
    """Replace the warehouse, then each export, atomically; then the serving file (its views
    are bound, so written once the exports are in place); drop exports of marts that no longer
    exist (e.g. a model that was removed)."""
    os.replace(building, warehouse)
    for mart in written:
        os.replace(staging / f"{mart}.parquet", exports / f"{mart}.parquet")
    with duckdb.connect(str(staging / SERVING_FILE)) as con:
        for statement in serving:
            con.execute(statement)
    os.replace(staging / SERVING_FILE, exports / SERVING_FILE)
    for stale in set(exports.glob("*.parquet")) - {exports / f"{m}.parquet" for m in written}:
        stale.unlink()


def run_args(dbt_args: list[str]) -> list[str]:
    """The arguments of a build that any dbt command must share (vars, target, profile), not
    the node selection."""
    shared = {"--vars", "--target", "-t", "--profile", "--profiles-dir"}
    kept = []
    for i, arg in enumerate(dbt_args):
        name = arg.split("=", 1)[0]
        if name in shared:
            kept += [arg] if "=" in arg or i + 1 == len(dbt_args) else [arg, dbt_args[i + 1]]
    return kept


def publish(dbt_args: list[str], exports: Path | None = None, docs: bool = False) -> int:
    """Build into a copy and swap it in when green; the exit status (0 = published)."""
    configure_environment()
    warehouse = Path(os.environ["DBT_DUCKDB_PATH"])
    if not warehouse.is_absolute():  # ":memory:", "md:...": nothing to swap
        raise SystemExit(f"publish needs a DuckDB file, not DBT_DUCKDB_PATH={warehouse}")
    # Absolute: the serving file's views name the exports by path.
    exports = (exports or default_exports_dir(warehouse)).resolve()
    warehouse.parent.mkdir(parents=True, exist_ok=True)
    exports.mkdir(parents=True, exist_ok=True)
    # Beside their final places, so that os.replace is a rename on the same file system. The
    # copy keeps the warehouse's file name, in a folder of its own: DuckDB names the database
    # after the file, and dbt writes that name into the docs catalog.
    building_dir = Path(tempfile.mkdtemp(prefix=f".{warehouse.stem}-building-",
                                         dir=warehouse.parent))
    building = building_dir / warehouse.name
    staging = Path(tempfile.mkdtemp(prefix=".staging-", dir=exports))
    try:
        copy_previous(warehouse, building)
        print(f"==> dbt build into {building} (a copy of {warehouse}); "
              f"readers of {warehouse.name} are not disturbed", flush=True)
        env = dict(os.environ, DBT_DUCKDB_PATH=str(building))
        dbt = Path(sys.executable).parent / "dbt"
        steps = [["build", *dbt_args]]
        if docs:  # the docs catalog of exactly the warehouse published
            steps.append(["docs", "generate", "--static", *run_args(dbt_args)])
        for step in steps:
            result = subprocess.run([str(dbt), *step, "--project-dir", str(REPO_ROOT)], env=env)
            if result.returncode != 0:
                print(f"==> dbt {step[0]} failed (exit {result.returncode}, see above): kept "
                      f"the previous warehouse {warehouse} and exports {exports}", file=sys.stderr)
                return result.returncode
        target_path = Path(os.environ.get("DBT_TARGET_PATH") or REPO_ROOT / "target")
        print(f"==> exporting the marts to Parquet in {exports}", flush=True)
        written, serving = export_marts(
            building, mart_relations(target_path / "manifest.json"), staging, exports)
        try:
            swap_in(building, warehouse, staging, exports, written, serving)
        except PermissionError as error:  # Windows: a program holds the file open
            print(f"==> cannot replace {error.filename}: another program holds it open "
                  "(Windows), so it and the files not yet replaced keep their previous "
                  f"version. On Windows, BI tools should read the Parquet exports in {exports}",
                  file=sys.stderr)
            return 1
        print(f"==> published {warehouse}, {len(written)} mart exports and the serving file "
              f"{exports / SERVING_FILE}", flush=True)
        return 0
    finally:
        shutil.rmtree(building_dir, ignore_errors=True)
        shutil.rmtree(staging, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    """Build into a copy and publish it (module docstring); returns the exit code."""
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        epilog="Other arguments go to `dbt build` (e.g. --select, --vars).")
    parser.add_argument("--exports", type=Path,
                        help="folder of the Parquet exports (default: WAREHOUSE_EXPORTS_PATH, "
                             "else exports/ beside the warehouse file)")
    parser.add_argument("--docs", action="store_true",
                        help="also `dbt docs generate --static` on the new warehouse before the "
                             "swap (dbt opens its warehouse read-write: a reader of the "
                             "published file would block it)")
    args, dbt_args = parser.parse_known_args(argv)
    return publish(dbt_args, args.exports, args.docs)


if __name__ == "__main__":
    sys.exit(main())
