"""Run dbt on a throw-away warehouse, as a subprocess (a DuckDB file stays locked while the
process that wrote it lives, so in-process dbt would block later builds).

Used by ``python -m ecommerce_warehouse.results`` and by the tests (tests/python/dbt_runner.py,
which reuses target folders so that dbt parses the project partially).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from .paths import REPO_ROOT

DBT = Path(sys.executable).parent / "dbt"
DEFAULT_TIMEOUT = 900


class DbtBuildFailed(AssertionError):
    """`dbt build` returned non-zero; the message ends with dbt's output. An AssertionError, so
    that a test calling build_warehouse fails (rather than errors) with that output."""


def dbt_env(raw_dir: Path, work_dir: Path, target_dir: Path | None = None) -> dict:
    """The environment of a dbt run on the raw files in raw_dir, writing under work_dir (its
    target folder: target_dir, default work_dir/target; a folder shared by several runs saves
    dbt a full parse of the project on every run after the first)."""
    return dict(
        os.environ,
        RAW_DATA_PATH=str(raw_dir),
        DBT_DUCKDB_PATH=str(work_dir / "warehouse.duckdb"),
        DBT_TARGET_PATH=str(target_dir or work_dir / "target"),
        DBT_LOG_PATH=str(work_dir / "logs"),
        DBT_PROFILES_DIR=str(REPO_ROOT / "profiles"),
        DBT_SEND_ANONYMOUS_USAGE_STATS="false",
    )


def dbt_command(args: list[str], extra_vars: str | None = None) -> list[str]:
    """The command line of `dbt <args>` on this project (with `--vars extra_vars`)."""
    return [str(DBT), *args, "--project-dir", str(REPO_ROOT),
            *(["--vars", extra_vars] if extra_vars else [])]


def build_args(select: list[str] | None = None) -> list[str]:
    """`build` of everything, or of the `select`ed nodes and only the tests whose every parent
    is selected."""
    return ["build", *(["--indirect-selection", "cautious", "--select", *select] if select
                       else [])]


def run_dbt(args: list[str], raw_dir: Path, work_dir: Path, extra_vars: str | None = None,
            env: dict[str, str] | None = None, timeout: int = DEFAULT_TIMEOUT,
            target_dir: Path | None = None):
    """`dbt <args>` on the raw files in raw_dir, writing everything under work_dir; `env` adds
    or overrides environment variables. The finished subprocess.CompletedProcess."""
    return subprocess.run(dbt_command(args, extra_vars),
                          env={**dbt_env(raw_dir, work_dir, target_dir), **(env or {})},
                          capture_output=True, text=True, timeout=timeout)


def build_warehouse(raw_dir: Path, work_dir: Path, extra_vars: str | None = None,
                    select: list[str] | None = None, env: dict[str, str] | None = None,
                    target_dir: Path | None = None, timeout: int = DEFAULT_TIMEOUT) -> Path:
    """`dbt build` (all models and tests, or the `select`ed ones and only the tests whose every
    parent is selected) into work_dir/warehouse.duckdb, its path returned; DbtBuildFailed with
    dbt's output if red. `env` as run_dbt's."""
    result = run_dbt(build_args(select), raw_dir, work_dir, extra_vars, env=env, timeout=timeout,
                     target_dir=target_dir)
    if result.returncode != 0:
        raise DbtBuildFailed(f"dbt build failed:\n{result.stdout[-6000:]}\n{result.stderr[-2000:]}")
    return work_dir / "warehouse.duckdb"
