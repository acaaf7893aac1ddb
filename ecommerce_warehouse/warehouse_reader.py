"""How long-running readers (the API, the dashboards) open the published warehouse.

One place for the two facts they share: the schema that holds the public marts and the way
to open the current warehouse file read-only.

``make build`` publishes by renaming a new file over ``DBT_DUCKDB_PATH``
(ecommerce_warehouse/publish.py). ``duckdb.connect(path)`` would not see it: DuckDB keeps
one open database per file per process and hands it to every later connection to that path,
so a server that always has a request in flight would keep reading the old, deleted file.
:func:`open_warehouse` instead starts a fresh in-memory DuckDB and attaches the file
read-only, so each connection reads the file that is at the path when it is opened (old or
new, always complete) and sees no other connection's state.
"""

from __future__ import annotations

import os
from pathlib import Path

import duckdb

from ecommerce_warehouse.paths import configure_environment

# The schema of the public marts; the API's queries and the dashboards' datasets use it.
MARTS_SCHEMA = "main"


def warehouse_path() -> Path:
    """The published warehouse file: DBT_DUCKDB_PATH (relative to the repository root), else
    warehouse.duckdb there."""
    configure_environment()
    return Path(os.environ["DBT_DUCKDB_PATH"])


def open_warehouse(path: Path | None = None) -> duckdb.DuckDBPyConnection:
    """A new read-only connection to the warehouse file as it is now; close it after use.
    The file is attached under its own stem (``warehouse``), the catalog name dbt wrote into
    the views, and made the default catalog."""
    path = path or warehouse_path()
    if not path.exists():
        raise FileNotFoundError(f"no warehouse at {path}: run `make build` (or set "
                                "DBT_DUCKDB_PATH)")
    con = duckdb.connect(":memory:", config={"threads": 1})
    try:
        catalog = path.stem.replace('"', '""')
        con.execute(f"attach '{str(path).replace(chr(39), chr(39) * 2)}' as \"{catalog}\" "
                    "(read_only)")
        con.execute(f'use "{catalog}"')
    except Exception:
        con.close()
        raise
    return con
