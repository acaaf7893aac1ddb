"""Run dbt on a throw-away warehouse for the tests: ecommerce_warehouse.dbt_build's helpers, run
so that dbt parses the project partially (below), and helpers of the tests' own."""

from __future__ import annotations

import contextlib
import hashlib
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from ecommerce_warehouse import dbt_build

REPO_ROOT = Path(__file__).resolve().parents[2]
# dbt parses the whole project again (10-15 s) unless the profile, the --vars and the
# target folder are the last run's; partial parsing then re-reads only what changed. So each
# test process keeps one target folder per set of --vars (SHARED_TARGET for none), and runs
# dbt on one stable warehouse path, a link re-pointed at the run's work folder.
SHARED_TARGET = Path(tempfile.mkdtemp(prefix="dbt-target-"))
STABLE_LINK = Path(tempfile.mkdtemp(prefix="dbt-warehouse-")) / "current"


def dbt_env(raw_dir: Path, work_dir: Path) -> dict:
    """The environment of a dbt run on the raw files in raw_dir, writing under work_dir."""
    return dbt_build.dbt_env(raw_dir, work_dir, SHARED_TARGET)


def publish_env(raw_dir: Path, work_dir: Path) -> dict:
    """The environment of a publish of raw_dir into work_dir: warehouse.duckdb and exports/
    there (`make test` exports the repo's WAREHOUSE_EXPORTS_PATH: the test's own wins)."""
    return {**dbt_env(raw_dir, work_dir), "WAREHOUSE_EXPORTS_PATH": str(work_dir / "exports")}


def publish(raw_dir: Path, work_dir: Path, *dbt_args: str):
    """`python -m ecommerce_warehouse.publish` as `make build` runs it, into work_dir."""
    return subprocess.run([sys.executable, "-m", "ecommerce_warehouse.publish", *dbt_args],
                          env=publish_env(raw_dir, work_dir), capture_output=True, text=True,
                          timeout=900)


def published_copy(shop_dir: Path, tmp_path_factory, *dbt_args: str) -> tuple[Path, Path]:
    """A copy of shop_dir's raw files (that a test may append to) published: (raw folder, work
    folder holding warehouse.duckdb and exports/); fails the calling test if red."""
    import shutil

    raw = tmp_path_factory.mktemp("raw")
    shutil.copytree(shop_dir, raw, dirs_exist_ok=True)
    work = tmp_path_factory.mktemp("work")
    result = publish(raw, work, *dbt_args)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    return raw, work


def run_dbt(args: list[str], raw_dir: Path, work_dir: Path, extra_vars: str | None = None,
            env: dict[str, str] | None = None, timeout: int = 900):
    """`dbt <args>` on the raw files in raw_dir, writing everything under work_dir; `env` adds
    or overrides environment variables."""
    return dbt_build.run_dbt(args, raw_dir, work_dir, extra_vars, env=stable_env(work_dir, env),
                             timeout=timeout, target_dir=target_dir(extra_vars))


def build_warehouse(raw_dir: Path, work_dir: Path, extra_vars: str | None = None,
                    select: list[str] | None = None, env: dict[str, str] | None = None) -> Path:
    """`dbt build` (all models and tests, or the `select`ed ones and only the tests whose every
    parent is selected); fails the calling test with dbt's output if red. `env` as run_dbt's."""
    return dbt_build.build_warehouse(raw_dir, work_dir, extra_vars, select=select,
                                     env=stable_env(work_dir, env),
                                     target_dir=target_dir(extra_vars))


def target_dir(extra_vars: str | None) -> Path:
    """dbt's target folder for runs with these --vars."""
    if not extra_vars:
        return SHARED_TARGET
    return SHARED_TARGET / ("vars-" + hashlib.sha1(extra_vars.encode()).hexdigest()[:12])


def stable_env(work_dir: Path, env: dict[str, str] | None) -> dict[str, str]:
    """env (the caller's wins) with DBT_DUCKDB_PATH naming work_dir's warehouse.duckdb by the
    path every dbt run of this process uses."""
    work_dir.mkdir(parents=True, exist_ok=True)
    link = STABLE_LINK.with_name("next")
    link.unlink(missing_ok=True)
    link.symlink_to(work_dir.resolve(), target_is_directory=True)
    os.replace(link, STABLE_LINK)
    return {"DBT_DUCKDB_PATH": str(STABLE_LINK / "warehouse.duckdb"), **(env or {})}


def rows(con, sql: str) -> list[tuple]:
    """All rows of a query on a built warehouse."""
    return con.sql(sql).fetchall()


def shipped_mapping(mapping_name: str, work_dir: Path, currency_rates: dict[str, float],
                    order_line_files: str | None = None) -> Path:
    """A copy of mappings/<mapping_name>.yml in work_dir with the fixture shop's currency rates
    (and, if given, another glob for the order lines)."""
    import yaml

    mapping = yaml.safe_load((REPO_ROOT / "mappings" / f"{mapping_name}.yml").read_text())
    mapping["currency_rates"] = currency_rates
    if order_line_files:
        mapping["entities"]["order_lines"]["files"] = order_line_files
    mapping_file = work_dir / f"{mapping_name}.yml"
    mapping_file.write_text(yaml.safe_dump(mapping, sort_keys=False))
    return mapping_file


def mapped_vars(mapping_file: Path) -> str:
    """dbt --vars building source_system mapped with a mapping file."""
    return f"{{source_system: mapped, source_mapping: '{mapping_file}'}}"


@contextlib.contextmanager
def mapped_shop(raw_dir: Path, work_dir: Path, mapping_name: str,
                currency_rates: dict[str, float]):
    """A read-only connection to the warehouse `dbt build` makes of source_system mapped on
    raw_dir with the shipped mapping mappings/<mapping_name>.yml, its currency_rates set to the
    fixture shop's."""
    from ecommerce_warehouse import schemas

    path = build_warehouse(raw_dir, work_dir, extra_vars=mapped_vars(
        shipped_mapping(mapping_name, work_dir, currency_rates)))
    con = schemas.connect(path)
    try:
        yield con
    finally:
        con.close()


def hashed_email(email: str) -> str:
    """A customer key as the shipped mappings make it: sha256 of the trimmed, lower-cased email
    (worked out here with hashlib, apart from the SQL that makes it)."""
    return hashlib.sha256(email.strip().lower().encode()).hexdigest()


def assert_stored_nowhere(con, texts: list[str]) -> None:
    """No value of any table or view of a built warehouse contains one of texts (any case)."""
    relations = rows(con, "select table_schema, table_name from information_schema.tables"
                          " where table_catalog = current_database()")
    assert len(relations) > 50, "the warehouse was not built"
    for schema, relation in relations:
        values = rows(con, "select lower(cast(columns(*) as varchar))"
                           f' from "{schema}"."{relation}"')
        flat = " ".join(str(value) for row in values for value in row)
        for text in texts:
            assert text.lower() not in flat, f"{text} is stored in {schema}.{relation}"
