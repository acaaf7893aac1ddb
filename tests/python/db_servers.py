"""Throw-away PostgreSQL and MariaDB servers for the tests (Debian packages; `make db-servers`
installs them): a fresh data directory in a temp folder, a free port on 127.0.0.1 only, an
admin and a read-only user with passwords, stopped (and the folder removed) at the end.
Every wait is bounded. As root the servers run as `nobody` (PostgreSQL refuses root).

The fixture shop is loaded through DuckDB's own postgres / mysql extension (attached
read-write as the admin), so one DuckDB script creates the same typed tables in both."""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import duckdb

from ecommerce_warehouse import shop_database

START_TIMEOUT = 60
ADMIN, ADMIN_PASSWORD = "shop_admin", "admin-secret"
READER, READER_PASSWORD = "shop_reader", "reader-secret"
DATABASE = "shop"


@dataclass(frozen=True)
class Server:
    scheme: str  # postgresql or mysql
    port: int
    host: str = "127.0.0.1"

    @property
    def kind(self) -> str:
        """DuckDB's attach type: postgres or mysql."""
        return shop_database.KINDS[self.scheme][0]

    def url(self, user: str = READER, database: str = DATABASE) -> str:
        return f"{self.scheme}://{user}@{self.host}:{self.port}/{database}"

    def env(self, password: str = READER_PASSWORD, **url) -> dict[str, str]:
        """The environment variables a dbt run needs to read the shop as the reader."""
        return {shop_database.URL_VARIABLE: self.url(**url),
                shop_database.PASSWORD_VARIABLE: password}

    @contextlib.contextmanager
    def admin_connection(self, database: str = DATABASE):
        """A DuckDB connection with the server attached read-write (as `shop_db`) as the admin."""
        con = duckdb.connect()
        try:
            shop_database.attach(
                con, shop_database.parse_url(self.url(ADMIN, database), ADMIN_PASSWORD),
                read_only=False)
            yield con
        finally:
            con.close()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _as_server_user(command: list[str]) -> list[str]:
    return ["runuser", "-u", "nobody", "--", *command] if os.geteuid() == 0 else command


def _run(command: list[str], timeout: int) -> None:
    """Run a server tool; a failure says what it printed."""
    done = subprocess.run(command, capture_output=True, text=True, timeout=timeout)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed ({done.returncode}): "
                           f"{(done.stdout + done.stderr)[-2000:]}")


def _server_dir(prefix: str) -> Path:
    """A temp folder the unprivileged server user owns (pytest's tmp_path is root-only)."""
    path = Path(tempfile.mkdtemp(prefix=prefix))
    if os.geteuid() == 0:
        shutil.chown(path, "nobody", "nogroup")
    return path


def postgres_bin() -> Path | None:
    """The newest Debian PostgreSQL's bin folder, or one with initdb on PATH."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"),
                   key=lambda p: int(Path(p).parts[-3]))
    if found:
        return Path(found[-1]).parent
    on_path = shutil.which("initdb")
    return Path(on_path).parent if on_path else None


def _wait_until_accepting(port: int, process: subprocess.Popen | None, log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode}: "
                               f"{log.read_text()[-2000:]}")
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.2)
    raise RuntimeError(f"server not listening on 127.0.0.1:{port} after {START_TIMEOUT}s: "
                       f"{log.read_text()[-2000:] if log.exists() else ''}")


@contextlib.contextmanager
def postgres_server():
    """A running PostgreSQL with database `shop`, its admin and a reader (CONNECT + SELECT)."""
    bin_dir = postgres_bin()
    root = _server_dir("pg-test-")
    data, log, port = root / "data", root / "server.log", free_port()
    try:
        (root / "pw").write_text(ADMIN_PASSWORD)
        os.chmod(root / "pw", 0o644)
        _run(_as_server_user([
            str(bin_dir / "initdb"), "-D", str(data), "-U", ADMIN, f"--pwfile={root / 'pw'}",
            "--auth=scram-sha-256", "-E", "UTF8", "--locale=C"]), START_TIMEOUT)
        _run(_as_server_user([
            str(bin_dir / "pg_ctl"), "-D", str(data), "-l", str(log), "-w",
            "-t", str(START_TIMEOUT), "-o",
            f"-c listen_addresses=127.0.0.1 -p {port} -c unix_socket_directories={root}",
            "start"]), START_TIMEOUT + 10)
        _wait_until_accepting(port, None, log)
        server = Server("postgresql", port)
        with server.admin_connection("postgres") as con:
            for statement in (
                    f"create database {DATABASE}",
                    f"create role {READER} login password '{READER_PASSWORD}'"):
                # create database cannot run in a transaction
                con.execute("call postgres_execute('shop_db', ?, use_transaction := false)",
                            [statement])
        yield server
    finally:
        if (data / "postmaster.pid").exists():
            subprocess.run(_as_server_user([str(bin_dir / "pg_ctl"), "-D", str(data), "-m",
                                            "immediate", "-w", "-t", "30", "stop"]),
                           capture_output=True, timeout=60)
        shutil.rmtree(root, ignore_errors=True)


def grant_reader_postgres(server: Server, schema: str) -> None:
    with server.admin_connection() as con:
        for statement in (f"grant usage on schema {schema} to {READER}",
                          f"grant select on all tables in schema {schema} to {READER}"):
            con.execute("call postgres_execute('shop_db', ?)", [statement])


def mariadb_binaries() -> tuple[str, str] | None:
    server, install = shutil.which("mariadbd", path="/usr/sbin:/usr/bin:" + os.environ["PATH"]), \
        shutil.which("mariadb-install-db")
    return (server, install) if server and install else None


@contextlib.contextmanager
def mariadb_server():
    """A running MariaDB with database `shop`, its admin and a reader (SELECT on shop.*)."""
    mariadbd, install_db = mariadb_binaries()
    root = _server_dir("mariadb-test-")
    data, log, port = root / "data", root / "server.log", free_port()
    user = ["--user=nobody"] if os.geteuid() == 0 else []
    process = None
    try:
        _run([install_db, "--no-defaults", f"--datadir={data}", *user,
              "--auth-root-authentication-method=socket", "--skip-test-db"], START_TIMEOUT * 2)
        with open(log, "w") as log_file:
            process = subprocess.Popen(
                [mariadbd, "--no-defaults", f"--datadir={data}", *user,
                 "--bind-address=127.0.0.1", f"--port={port}", f"--socket={root / 'sock'}",
                 f"--pid-file={root / 'pid'}", "--skip-log-bin", "--innodb-buffer-pool-size=32M"],
                stdout=log_file, stderr=subprocess.STDOUT)
        _wait_until_accepting(port, process, log)
        # root logs in only through the socket: DuckDB's mysql extension takes one.
        con = duckdb.connect()
        try:
            con.execute(f"load '{shop_database.extension_file('mysql')}'")
            con.execute(f"attach 'host=localhost user=root socket={root / 'sock'}' as root_db "
                        "(type mysql)")
            for statement in (
                    f"create database {DATABASE}",
                    f"create user '{ADMIN}'@'%' identified by '{ADMIN_PASSWORD}'",
                    f"grant all on {DATABASE}.* to '{ADMIN}'@'%'",
                    f"create user '{READER}'@'%' identified by '{READER_PASSWORD}'",
                    f"grant select on {DATABASE}.* to '{READER}'@'%'"):
                con.execute("call mysql_execute('root_db', ?)", [statement])
        finally:
            con.close()
        yield Server("mysql", port)
    finally:
        if process is not None:
            process.terminate()
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)
        shutil.rmtree(root, ignore_errors=True)


# The tiny shop (tests/python/fixtures/tiny_shop, figures worked out in test_tiny_shop.py) as
# the shop's own database would hold it: typed columns, orders apart from their lines. Only
# rows a typed column can hold are here: no 'ten' quantity, no 31/02/2024, no duplicate key;
# the zero price (O6) and the outlier quantity (O7) stay, to be quarantined.
# DuckDB SQL, run on the server attached read-write as shop_db, in its schema `shop`
# (load_shop);
# DuckDB maps the types to each server's own (decimal -> numeric / decimal, timestamp ->
# timestamp / datetime).
# (Not a .sql file under tests/: dbt would take it for a singular test.)
SHOP_SQL = """
create table shop_db.shop.customers (
    customer_id varchar(20) not null, signup_date date, gender varchar(20),
    country varchar(60), city varchar(60)
);
insert into shop_db.shop.customers values
    ('C1', '2024-01-05', 'female', 'United Kingdom', 'London'),
    ('C2', '2024-02-10', 'male', 'united kingdom ', 'LONDON'),
    ('C3', '2024-03-01', 'other', 'United Kingdom', 'London');
create table shop_db.shop.products (
    product_id varchar(20) not null, product_name varchar(100), category varchar(60),
    list_price decimal(10, 2)
);
insert into shop_db.shop.products values
    ('P1', 'Mug', 'Kitchen', 10.00), ('P2', 'Tea Towel', 'kitchen ', 5.00),
    ('P3', 'Poster', 'Decor', 20.00), ('P4', 'Lamp', 'Decor', 0.00);
create table shop_db.shop.orders (
    order_id varchar(20) not null, customer_id varchar(20), ordered_at timestamp not null,
    coupon_code varchar(20), return_of_order_id varchar(20)
);
insert into shop_db.shop.orders values
    ('O1', 'C1', '2024-03-05 10:00:00', 'SAVE10', null),
    ('O2', null, '2024-03-06 11:30:00', null, null),
    ('O3', 'C2', '2024-04-01 09:00:00', null, null),
    ('O6', 'C3', '2024-04-03 12:00:00', null, null),
    ('O7', 'C3', '2024-04-04 12:00:00', null, null),
    ('R1', 'C1', '2024-03-10 10:00:00', null, 'O1'),
    ('O8', 'C1', '2024-05-01 08:00:00', null, null);
create table shop_db.shop.order_lines (
    order_id varchar(20) not null, line_number integer not null, product_id varchar(20),
    quantity integer, unit_price decimal(10, 2), discount_pct decimal(5, 4)
);
insert into shop_db.shop.order_lines values
    ('O1', 1, 'P1', 2, 10.00, 0.10), ('O1', 2, 'P3', 1, 20.00, 0),
    ('O2', 1, 'P2', 4, 5.00, 0), ('O3', 1, 'P3', 1, 20.00, 0),
    ('O6', 1, 'P1', 1, 0.00, 0), ('O7', 1, 'P1', 50000, 10.00, 0),
    ('R1', 1, 'P3', -1, 20.00, 0), ('O8', 1, 'P2', 1, 5.00, 0);
"""


def load_shop(server: Server) -> None:
    """Create the fixture shop's tables (schema `shop`) and let the reader select them."""
    with server.admin_connection() as con:
        if server.scheme == "postgresql":  # on MariaDB the schema is the database `shop`
            con.execute("create schema shop_db.shop")
        con.execute(SHOP_SQL)
    if server.scheme == "postgresql":
        grant_reader_postgres(server, "shop")
