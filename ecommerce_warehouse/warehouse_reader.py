"""How long-running readers (the API, the dashboards) open the published warehouse.

One place for the two facts they share: the schema that holds the public marts and the way
to open the current warehouse file read-only.

``make build`` publishes by renaming a new file over ``DBT_DUCKDB_PATH``
(ecommerce_warehouse/publish.py). ``duckdb.connect(path)`` would not see it: DuckDB keeps
one open database per file per process and hands it to every later connection to that path,
so a server that always has a request in flight would keep reading the old, deleted file.
:func:`open_warehouse` instead attaches the file read-only to an in-memory DuckDB of its
own, and attaches it afresh as soon as the file at the path is another one (its inode,
size or modification time changed): every connection it returns reads the file that was at
the path when it was asked for, old or new, always complete. Connections to an unchanged
file share one attached database (a cursor each), which saves opening the catalog (tens of
milliseconds) per request; a replaced file's database closes when its last cursor does.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

import duckdb

from ecommerce_warehouse import schemas
from ecommerce_warehouse.paths import configure_environment

# The schema of the public marts; the API's queries and the dashboards' datasets use it.
MARTS_SCHEMA = schemas.MARTS


def warehouse_path() -> Path:
    """The published warehouse file: DBT_DUCKDB_PATH (relative to the repository root), else
    warehouse.duckdb there."""
    configure_environment()
    return Path(os.environ["DBT_DUCKDB_PATH"])


_attached: dict[tuple, duckdb.DuckDBPyConnection] = {}
_lock = threading.Lock()


def catalog(path: Path) -> str:
    """The file attached under its own stem (``warehouse``)."""
    return '"' + path.stem.replace('"', '""') + '"'


def attach(path: Path) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB with the file attached read-only."""
    con = duckdb.connect(":memory:")
    try:
        con.execute(f"attach '{str(path).replace(chr(39), chr(39) * 2)}' as {catalog(path)} "
                    "(read_only)")
    except Exception:
        con.close()
        raise
    return con


def open_warehouse(path: Path | None = None) -> duckdb.DuckDBPyConnection:
    """A read-only connection to the warehouse file as it is now; close it after use."""
    path = path or warehouse_path()
    try:
        stat = path.stat()
    except FileNotFoundError:
        raise FileNotFoundError(f"no warehouse at {path}: run `make build` (or set "
                                "DBT_DUCKDB_PATH)") from None
    key = (str(path), stat.st_ino, stat.st_size, stat.st_mtime_ns)
    with _lock:
        if key not in _attached:
            for old in [k for k in _attached if k[0] == key[0]]:
                del _attached[old]  # closes once its cursors are closed
            _attached[key] = attach(path)
        cursor = _attached[key].cursor()
    cursor.execute(f"use {catalog(path)}")
    return cursor
