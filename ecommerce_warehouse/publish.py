"""Build the warehouse without ever blocking a reader or showing a half-finished build.

``python -m ecommerce_warehouse.publish [--exports DIR] [dbt build arguments...]``
(what ``make build`` runs):

1. copy the current warehouse (``DBT_DUCKDB_PATH``), if any, to a fresh file next to it, so
   that incremental models start from the previous state;
2. ``dbt build`` into that copy (``DBT_DUCKDB_PATH`` pointed at it): BI tools holding the
   current file are not in the way, since nobody else holds the copy;
3. only if every model and test succeeded: export the gold marts (every model under
   ``models/marts`` and ``python_models``, from dbt's manifest) to ``DIR/<mart>.parquet``,
   written in a staging folder first, then ``os.replace()`` the copy over the warehouse and
   each Parquet file over its previous version.

``os.replace`` is an atomic rename: a new connection opens either the old or the new file,
never a mixture, and on Linux and macOS a connection already open keeps reading its old
snapshot until it reconnects. On failure the previous warehouse and exports stay as they
were, the copy is removed and the exit status is dbt's (its message is printed above).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import duckdb

from ecommerce_warehouse.paths import REPO_ROOT, configure_environment

# The gold layer: what BI tools read (the README's mart tables).
MART_PATHS = ("models/marts/", "python_models/")


def default_exports_dir(warehouse: Path) -> Path:
    """`exports/` beside the warehouse file, unless WAREHOUSE_EXPORTS_PATH says otherwise."""
    return Path(os.environ.get("WAREHOUSE_EXPORTS_PATH") or warehouse.parent / "exports")


def mart_names(manifest_path: Path) -> list[str]:
    """Relation names of the enabled models of the gold layer in a dbt manifest."""
    manifest = json.loads(manifest_path.read_text())
    return sorted(
        node["alias"]
        for node in manifest["nodes"].values()
        if node["resource_type"] == "model"
        and node["original_file_path"].startswith(MART_PATHS)
        and node["config"].get("enabled", True)
    )


def copy_previous(warehouse: Path, building: Path) -> None:
    """The starting state of the build: a copy of the warehouse (and of its write-ahead log,
    if a writer left one), or nothing for a first build."""
    for suffix in ("", ".wal"):
        source = Path(str(warehouse) + suffix)
        if source.exists():
            shutil.copyfile(source, str(building) + suffix)


def export_marts(database: Path, marts: list[str], staging: Path) -> list[str]:
    """Write each mart present in the database to staging/<mart>.parquet; the names written.
    Also checkpoints the database, so that no write-ahead log is left beside it."""
    with duckdb.connect(str(database)) as con:
        con.execute("checkpoint")
        present = {name for (name,) in con.execute(
            "select table_name from information_schema.tables where table_schema = 'main'"
        ).fetchall()}
        written = [mart for mart in marts if mart in present]
        for mart in written:
            target = str(staging / f"{mart}.parquet").replace("'", "''")
            con.execute(f"copy main.\"{mart}\" to '{target}' (format parquet)")
    return written


def swap_in(building: Path, warehouse: Path, staging: Path, exports: Path,
            written: list[str]) -> None:
    """Replace the warehouse, then each export, atomically; drop exports of marts that no
    longer exist (e.g. a model that was removed)."""
    os.replace(building, warehouse)
    for mart in written:
        os.replace(staging / f"{mart}.parquet", exports / f"{mart}.parquet")
    for stale in set(exports.glob("*.parquet")) - {exports / f"{m}.parquet" for m in written}:
        stale.unlink()


def remove(*paths: Path) -> None:
    for path in paths:
        for candidate in (path, Path(str(path) + ".wal")):
            if candidate.is_dir():
                shutil.rmtree(candidate, ignore_errors=True)
            elif candidate.exists():
                candidate.unlink()


def publish(dbt_args: list[str], exports: Path | None = None) -> int:
    """Build into a copy and swap it in when green; the exit status (0 = published)."""
    configure_environment()
    warehouse = Path(os.environ["DBT_DUCKDB_PATH"])
    if not warehouse.is_absolute():  # ":memory:", "md:...": nothing to swap
        raise SystemExit(f"publish needs a DuckDB file, not DBT_DUCKDB_PATH={warehouse}")
    exports = exports or default_exports_dir(warehouse)
    warehouse.parent.mkdir(parents=True, exist_ok=True)
    exports.mkdir(parents=True, exist_ok=True)
    # Beside their final places, so that os.replace is a rename on the same file system.
    handle, name = tempfile.mkstemp(prefix=f".{warehouse.stem}-building-", suffix=".duckdb",
                                    dir=warehouse.parent)
    os.close(handle)
    building = Path(name)
    building.unlink()  # DuckDB creates the file itself on a first build
    staging = Path(tempfile.mkdtemp(prefix=".staging-", dir=exports))
    try:
        copy_previous(warehouse, building)
        print(f"==> dbt build into {building.name} (a copy of {warehouse}); "
              f"readers of {warehouse.name} are not disturbed", flush=True)
        env = dict(os.environ, DBT_DUCKDB_PATH=str(building))
        dbt = Path(sys.executable).parent / "dbt"
        result = subprocess.run([str(dbt), "build", "--project-dir", str(REPO_ROOT), *dbt_args],
                                env=env)
        if result.returncode != 0:
            print(f"==> dbt build failed (exit {result.returncode}, see above): kept the "
                  f"previous warehouse {warehouse} and exports {exports}", file=sys.stderr)
            return result.returncode
        target_path = Path(os.environ.get("DBT_TARGET_PATH") or REPO_ROOT / "target")
        print(f"==> exporting the marts to Parquet in {exports}", flush=True)
        written = export_marts(building, mart_names(target_path / "manifest.json"), staging)
        swap_in(building, warehouse, staging, exports, written)
        print(f"==> published {warehouse} and {len(written)} mart exports", flush=True)
        return 0
    finally:
        remove(building, staging)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        epilog="Other arguments go to `dbt build` (e.g. --select, --vars).")
    parser.add_argument("--exports", type=Path,
                        help="folder of the Parquet exports (default: WAREHOUSE_EXPORTS_PATH, "
                             "else exports/ beside the warehouse file)")
    args, dbt_args = parser.parse_known_args(argv)
    return publish(dbt_args, args.exports)


if __name__ == "__main__":
    sys.exit(main())
