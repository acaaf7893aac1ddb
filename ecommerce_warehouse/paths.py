"""Where the warehouse's files live, resolved from one place: the repository root.

dbt and DuckDB resolve relative paths against the current directory. So that
``DBT_DUCKDB_PATH`` and ``RAW_DATA_PATH`` (and their defaults) mean the same file whatever
directory dbt is started from, the project's virtualenv runs :func:`configure_environment` at
interpreter start-up (a one-line ``.pth`` file written by ``make venv``); it turns both into
absolute paths under the repository root. It also says where the repository root is
(``ECOMMERCE_WAREHOUSE_ROOT``: dbt's Jinja has no other way to know it) so that a mapping file
(var ``source_mapping`` / env ``SOURCE_MAPPING``, docs/source_mapping.md) is resolved the same
way, and where the DuckDB excel extension of the ``duckdb-extension-excel`` wheel is
(``DUCKDB_EXCEL_EXTENSION``), so that .xlsx exports load with no download.
"""

from __future__ import annotations

import importlib.util
import os
from collections.abc import MutableMapping
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_WAREHOUSE = "warehouse.duckdb"
DEFAULT_RAW_DATA = "data/demo"
MAPPINGS_DIR = "mappings"


def resolve(path: str | os.PathLike) -> Path:
    """An absolute path: relative paths are taken from the repository root."""
    path = Path(path).expanduser()
    return path if path.is_absolute() else REPO_ROOT / path


def configure_environment(environ: MutableMapping[str, str] = os.environ) -> None:
    """Make DBT_DUCKDB_PATH and RAW_DATA_PATH absolute (defaults included)."""
    duckdb_path = environ.get("DBT_DUCKDB_PATH") or DEFAULT_WAREHOUSE
    if duckdb_path != ":memory:" and not duckdb_path.startswith(("md:", "motherduck:")):
        environ["DBT_DUCKDB_PATH"] = str(resolve(duckdb_path))
    environ["RAW_DATA_PATH"] = str(resolve(environ.get("RAW_DATA_PATH") or DEFAULT_RAW_DATA))
    environ["ECOMMERCE_WAREHOUSE_ROOT"] = str(REPO_ROOT)
    if environ.get("SOURCE_MAPPING"):
        environ["SOURCE_MAPPING"] = str(mapping_path(environ["SOURCE_MAPPING"]))
    excel = excel_extension()
    if excel and not environ.get("DUCKDB_EXCEL_EXTENSION"):
        environ["DUCKDB_EXCEL_EXTENSION"] = str(excel)


def shared_data_dir() -> Path:
    """$SHARED_DATA_DIR (the real public datasets), default ../shared/data next to the
    repository."""
    return Path(os.environ.get("SHARED_DATA_DIR", REPO_ROOT.parent / "shared" / "data"))


def mapping_path(given: str) -> Path:
    """A mapping file: a bare name (no folder, no .yml) is a shipped one in mappings/."""
    if "/" not in given and not given.endswith((".yml", ".yaml")):
        given = f"{MAPPINGS_DIR}/{given}.yml"
    return resolve(given)


def excel_extension() -> Path | None:
    """The excel extension file of the duckdb-extension-excel wheel, if installed (found
    without importing anything: this runs at every interpreter start)."""
    spec = importlib.util.find_spec("duckdb_extension_excel")
    if spec is None or not spec.submodule_search_locations:
        return None
    found = sorted(Path(next(iter(spec.submodule_search_locations))).glob(
        "extensions/*/excel.duckdb_extension"))
    return found[-1] if found else None
