"""The shop's own database (PostgreSQL, MySQL / MariaDB) attached to DuckDB, read-only.

Connection settings come from the environment only, never from a file in the repository:

* ``SHOP_DATABASE_URL``: ``postgresql://USER@HOST:PORT/DATABASE`` or
  ``mysql://USER@HOST:PORT/DATABASE`` (``postgres://`` and ``mariadb://`` are accepted too);
* ``SHOP_DATABASE_PASSWORD``: the password (one in the URL works but then sits in shell history).

The database is attached as catalog ``shop_db`` with DuckDB's postgres / mysql extension, which
come from their PyPI wheels (``duckdb-extension-postgres`` / ``-mysql``, pinned to the duckdb
version): nothing is downloaded. The wheel names its file ``postgres.duckdb_extension`` while
DuckDB derives the entry point from the file name (``postgres_scanner``), so the file is loaded
through a link named after the extension. The password goes into a temporary DuckDB secret,
not the connection string, so that it never shows in an error message.

A failed attach raises :class:`ShopDatabaseError` whose message is one line: what was tried
(type, host, port, database, user), what failed and which environment variable to fix.
"""

from __future__ import annotations

import importlib
import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

import duckdb
from dbt.adapters.duckdb.plugins import BasePlugin
from dbt_common.exceptions import DbtRuntimeError

URL_VARIABLE = "SHOP_DATABASE_URL"
PASSWORD_VARIABLE = "SHOP_DATABASE_PASSWORD"
CATALOG = "shop_db"
CONNECT_TIMEOUT_SECONDS = 10

# URL scheme -> (DuckDB attach type, default port)
KINDS = {
    "postgresql": ("postgres", 5432), "postgres": ("postgres", 5432),
    "mysql": ("mysql", 3306), "mariadb": ("mysql", 3306),
}
# DuckDB attach type -> (wheel module, extension name inside the file)
EXTENSIONS = {
    "postgres": ("duckdb_extension_postgres", "postgres_scanner"),
    "mysql": ("duckdb_extension_mysql", "mysql_scanner"),
}
# What a driver's error says -> (what failed, which variable to fix). First match wins.
FAILURES = [
    (r"access denied for user .* to database",  # MariaDB: missing or not granted, alike
     "the database does not exist or the user may not read it",
     f"the database name in {URL_VARIABLE} and the user's grants"),
    (r"password authentication failed|access denied|authentication fail|no password supplied",
     "authentication failed", f"{PASSWORD_VARIABLE} (or the user in {URL_VARIABLE})"),
    (r"database \"[^\"]*\" does not exist|unknown database",
     "the database does not exist", f"the database name in {URL_VARIABLE}"),
    (r"could not translate host name|unknown (mysql|mariadb) server host|name or service not known"
     r"|temporary failure in name resolution", "unknown host", f"the host in {URL_VARIABLE}"),
    (r"connection refused|can't connect|could not connect|timeout expired|timed out"
     r"|no route to host|network is unreachable|lost connection",
     "server unreachable (is it running and listening there?)",
     f"the host and port in {URL_VARIABLE}"),
]


class ShopDatabaseError(RuntimeError):
    """The shop's database cannot be used; the message is one line meant for the user."""


@dataclass(frozen=True)
class ShopDatabase:
    """The shop database named by SHOP_DATABASE_URL: kind, host, port, database, user, password."""

    kind: str  # DuckDB attach type: postgres or mysql
    host: str
    port: int
    database: str
    user: str
    password: str = ""

    def describe(self) -> str:
        """Which database, for messages (never the password)."""
        return f"{self.kind} database '{self.database}' at {self.host}:{self.port} as '{self.user}'"


def parse_url(url: str, password: str | None = None) -> ShopDatabase:
    """The connection settings of a ``SHOP_DATABASE_URL``; `password` overrides the URL's."""
    parts = urlsplit(url.strip())
    if parts.scheme not in KINDS:
        raise ShopDatabaseError(
            f"{URL_VARIABLE} must start with one of {', '.join(s + '://' for s in KINDS)}, "
            f"not '{parts.scheme or url}'")
    kind, default_port = KINDS[parts.scheme]
    database = parts.path.lstrip("/")
    try:
        port = parts.port or default_port
    except ValueError:
        raise ShopDatabaseError(f"{URL_VARIABLE} has a port that is not a number") from None
    missing = [name for name, value in (("user", parts.username), ("host", parts.hostname),
                                        ("database", database)) if not value]
    if missing:
        raise ShopDatabaseError(
            f"{URL_VARIABLE} lacks the {' and '.join(missing)}: "
            f"write {parts.scheme}://USER@HOST:PORT/DATABASE")
    assert parts.hostname is not None and parts.username is not None   # in `missing` if not
    return ShopDatabase(kind, parts.hostname, port, unquote(database), unquote(parts.username),
                        password if password is not None else unquote(parts.password or ""))


def from_environment(environ=os.environ) -> ShopDatabase | None:
    """The shop database named by the environment, or None when SHOP_DATABASE_URL is unset."""
    url = environ.get(URL_VARIABLE, "").strip()
    if not url:
        return None
    return parse_url(url, environ.get(PASSWORD_VARIABLE))


def extension_file(kind: str) -> Path:
    """The extension file of the attach type, shipped by its wheel, behind a link whose name
    DuckDB accepts (the file's own name does not match its entry point)."""
    module_name, extension = EXTENSIONS[kind]
    try:
        module = importlib.import_module(module_name)
    except ImportError:
        raise ShopDatabaseError(
            f"the {kind} extension is not installed: pip package "
            f"{module_name.replace('_', '-')}=={duckdb.__version__} (in requirements.txt; "
            "run `make venv`)") from None
    if module.__file__ is None:
        raise ShopDatabaseError(f"the {kind} extension module {module_name} has no file "
                                "(a namespace package, not the installed wheel)")
    shipped = (Path(module.__file__).parent / "extensions" / f"v{duckdb.__version__}"
               / f"{kind}.duckdb_extension")
    if not shipped.is_file():
        raise ShopDatabaseError(f"{shipped} is missing: the {module_name} wheel does not match "
                                f"duckdb {duckdb.__version__}")
    links = Path(tempfile.gettempdir()) / f"ecommerce-warehouse-{os.getuid()}-v{duckdb.__version__}"
    link = links / f"{extension}.duckdb_extension"
    if not (link.is_symlink() and link.resolve() == shipped.resolve()):
        link.parent.mkdir(parents=True, exist_ok=True)
        temporary = link.with_name(f"{link.name}.{os.getpid()}")
        temporary.unlink(missing_ok=True)
        temporary.symlink_to(shipped)
        temporary.replace(link)  # atomic: a parallel process sees the old or the new link
    return link


def _quote(value) -> str:
    return "'" + str(value).replace("'", "''") + "'"


def attach(con: duckdb.DuckDBPyConnection, database: ShopDatabase, *, catalog: str = CATALOG,
           read_only: bool = True) -> None:
    """Attach the shop database to the connection as `catalog` (read-only unless told)."""
    con.execute(f"load {_quote(extension_file(database.kind))}")
    secret = f"{catalog}_secret"
    con.execute(
        f"create or replace temporary secret {secret} (type {database.kind}, "
        f"host {_quote(database.host)}, port {int(database.port)}, "
        f"database {_quote(database.database)}, user {_quote(database.user)}, "
        f"password {_quote(database.password)})")
    # libpq waits forever for an unreachable host unless told; the mysql extension takes no
    # timeout option: there the system's TCP connect timeout applies (about 2 minutes on Linux).
    options = f"connect_timeout={CONNECT_TIMEOUT_SECONDS}" if database.kind == "postgres" else ""
    mode = ", read_only" if read_only else ""
    try:
        con.execute(f"attach {_quote(options)} as {catalog} "
                    f"(type {database.kind}, secret {secret}{mode})")
    except duckdb.Error as error:
        raise ShopDatabaseError(failure_message(database, str(error))) from None


def failure_message(database: ShopDatabase, driver_message: str) -> str:
    """One line: what was tried, what failed, which variable to fix."""
    text = " ".join(driver_message.split())
    if database.password:
        text = text.replace(database.password, "***")
    for pattern, what, fix in FAILURES:
        if re.search(pattern, text, re.IGNORECASE):
            return f"cannot connect to the shop's {database.describe()}: {what}; check {fix}"
    return (f"cannot connect to the shop's {database.describe()}: {text[:300]}; "
            f"check {URL_VARIABLE} and {PASSWORD_VARIABLE}")


class Plugin(BasePlugin):
    """dbt-duckdb plugin (profiles/profiles.yml): attaches the shop database named by
    SHOP_DATABASE_URL to dbt's connection (read-only, as `shop_db`); no-op while it is unset."""

    def configure_connection(self, conn):
        """Attach the shop database when SHOP_DATABASE_URL is set; its errors become dbt runtime
        errors."""
        try:
            database = from_environment()
            if database is not None:
                attach(conn, database)
        except ShopDatabaseError as error:
            raise DbtRuntimeError(str(error)) from None
