"""Where the warehouse's files live, resolved from one place: the repository root.

dbt and DuckDB resolve relative paths against the current directory. So that
``DBT_DUCKDB_PATH`` and ``RAW_DATA_PATH`` (and their defaults) mean the same file whatever
directory dbt is started from, the project's virtualenv runs :func:`configure_environment` at
interpreter start-up (a one-line ``.pth`` file written by ``make venv``); it turns both into
absolute paths under the repository root.
"""

from __future__ import annotations

import os
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_WAREHOUSE = "warehouse.duckdb"
DEFAULT_RAW_DATA = "data/demo"


def resolve(path: str | os.PathLike) -> Path:
    """An absolute path: relative paths are taken from the repository root."""
    path = Path(path).expanduser()
    return path if path.is_absolute() else REPO_ROOT / path


def configure_environment(environ: dict = os.environ) -> None:
    """Make DBT_DUCKDB_PATH and RAW_DATA_PATH absolute (defaults included)."""
    duckdb_path = environ.get("DBT_DUCKDB_PATH") or DEFAULT_WAREHOUSE
    if duckdb_path != ":memory:" and not duckdb_path.startswith(("md:", "motherduck:")):
        environ["DBT_DUCKDB_PATH"] = str(resolve(duckdb_path))
    environ["RAW_DATA_PATH"] = str(resolve(environ.get("RAW_DATA_PATH") or DEFAULT_RAW_DATA))
