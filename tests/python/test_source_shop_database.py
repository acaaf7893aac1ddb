"""The shop's own database as the source: the tiny shop's order tables (typed, orders apart from
their lines: db_servers.SHOP_SQL) in a throw-away PostgreSQL and MariaDB server,
read through DuckDB's postgres / mysql extensions with the mapping fixtures/shop_database/
mapping.yml. The marts must show the figures worked out by hand for the tiny shop's files
(test_tiny_shop.py), less the rows a typed database cannot hold (see SHOP_SQL).

Every dbt run here reads its mapping from one path per test process (mapping_file): the same
--vars, so dbt parses the project once and partially after (a full parse is 20-40 s; a
mapping path per test made each error case parse it all again). dbt reads the mapping only
when it runs (source_mapping() is {} while parsing), so the parse is the same whatever the
file holds, and each run sees the file as its test wrote it."""

import duckdb
import pytest

from ecommerce_warehouse import schemas, shop_database

import db_servers
from dbt_runner import REPO_ROOT, build_warehouse, mapped_vars, rows, run_dbt

FIXTURE = REPO_ROOT / "tests" / "python" / "fixtures" / "shop_database"
pytestmark = pytest.mark.dbt


# --- connection settings (no server) ---

def test_url_gives_type_host_port_database_user():
    assert shop_database.parse_url("postgresql://reader@db.example:6543/shop", "pw") == \
        shop_database.ShopDatabase("postgres", "db.example", 6543, "shop", "reader", "pw")
    # default MySQL port 3306; %40 is '@'; the URL's password when none is given apart
    assert shop_database.parse_url("mariadb://u:p%40ss@10.0.0.5/orders") == \
        shop_database.ShopDatabase("mysql", "10.0.0.5", 3306, "orders", "u", "p@ss")


@pytest.mark.parametrize("url, says", [
    ("sqlite:///shop.db", "SHOP_DATABASE_URL must start with one of postgresql://"),
    ("postgresql://db.example:5432/shop", "SHOP_DATABASE_URL lacks the user"),
    ("mysql://reader@db.example", "SHOP_DATABASE_URL lacks the database"),
])
def test_bad_url_says_what_to_write(url, says):
    with pytest.raises(shop_database.ShopDatabaseError, match=says):
        shop_database.parse_url(url)


PG = shop_database.ShopDatabase("postgres", "db.example", 5432, "shop", "reader", "s3cret")


@pytest.mark.parametrize("driver_says, what, fix", [
    # the drivers' own wording (libpq, MariaDB client), as the servers in the tests answer
    ('FATAL:  database "shop" does not exist', "the database does not exist",
     "the database name in SHOP_DATABASE_URL"),
    ("Access denied for user 'reader'@'%' to database 'shop'",
     "the database does not exist or the user may not read it",
     "the database name in SHOP_DATABASE_URL and the user's grants"),
    ('could not translate host name "db.example" to address: Name or service not known',
     "unknown host", "the host in SHOP_DATABASE_URL"),
    ("Unknown MySQL server host 'db.example' (-2)", "unknown host",
     "the host in SHOP_DATABASE_URL"),
])
def test_driver_errors_become_what_failed_and_what_to_fix(driver_says, what, fix):
    assert shop_database.failure_message(PG, f"IO Error: Unable to connect: {driver_says}") == (
        f"cannot connect to the shop's postgres database 'shop' at db.example:5432 as 'reader': "
        f"{what}; check {fix}")


def test_an_unknown_driver_error_is_kept_on_one_line_without_the_password():
    assert shop_database.failure_message(PG, "IO Error: odd failure\nfor s3cret") == (
        "cannot connect to the shop's postgres database 'shop' at db.example:5432 as 'reader': "
        "IO Error: odd failure for ***; check SHOP_DATABASE_URL and SHOP_DATABASE_PASSWORD")


# --- against real servers ---

def _server(scheme):
    if scheme == "postgresql":
        if db_servers.postgres_bin() is None:
            pytest.skip("no PostgreSQL server (initdb) installed: `make db-servers` installs it")
        return db_servers.postgres_server()
    if db_servers.mariadb_binaries() is None:
        pytest.skip("no MariaDB server (mariadbd, mariadb-install-db) installed: "
                    "`make db-servers` installs it")
    return db_servers.mariadb_server()


@pytest.fixture(scope="module", params=["postgresql", "mysql"])
def server(request):
    with _server(request.param) as running:
        db_servers.load_shop(running)
        yield running


@pytest.fixture(scope="module")
def mapping_file(tmp_path_factory):
    """The one mapping path of this module's dbt runs; each writes the mapping it needs there
    (write_mapping) before running dbt."""
    return tmp_path_factory.mktemp("shop-db-mapping") / "mapping.yml"


def write_mapping(path, text=None):
    """path holding text (default: the fixture's mapping.yml unchanged); dbt's --vars for it."""
    path.write_text((FIXTURE / "mapping.yml").read_text() if text is None else text)
    return mapped_vars(path)


@pytest.fixture(scope="module")
def warehouse(server, mapping_file, tmp_path_factory):
    work = tmp_path_factory.mktemp(f"shop-db-{server.scheme}")
    path = build_warehouse(FIXTURE, work, write_mapping(mapping_file), env=server.env())
    with schemas.connect(path) as con:
        yield con


def test_tables_keep_their_types_and_the_attach_is_read_only(server):
    con = duckdb.connect()
    shop_database.attach(con, shop_database.parse_url(server.url(), db_servers.READER_PASSWORD))
    assert rows(con, "select column_name, data_type from information_schema.columns "
                     "where table_catalog = 'shop_db' and table_name = 'orders' "
                     "and column_name in ('ordered_at', 'order_id')") == [
        ("order_id", "VARCHAR"), ("ordered_at", "TIMESTAMP")]
    with pytest.raises(duckdb.Error, match="read-only"):
        con.execute("create table shop_db.shop.written (i integer)")


@pytest.mark.parametrize("wrong, what, fix", [
    ("password", "authentication failed", "check SHOP_DATABASE_PASSWORD"),
    ("port", "server unreachable", "check the host and port in SHOP_DATABASE_URL"),
])
def test_bad_connection_is_one_clear_line(server, mapping_file, tmp_path, wrong, what, fix):
    port = db_servers.free_port() if wrong == "port" else server.port
    env = {shop_database.URL_VARIABLE: server.url().replace(f":{server.port}/", f":{port}/"),
           shop_database.PASSWORD_VARIABLE: "not-the-password" if wrong == "password"
           else db_servers.READER_PASSWORD}
    result = run_dbt(["build"], FIXTURE, tmp_path, write_mapping(mapping_file), env=env,
                     timeout=120)
    output = result.stdout + result.stderr
    assert result.returncode != 0
    assert "Traceback" not in output and "not-the-password" not in output
    lines = [line for line in output.splitlines() if "cannot connect to the shop's" in line]
    assert len(lines) == 1, output[-3000:]
    assert lines[0].strip().startswith(
        f"cannot connect to the shop's {server.kind} database 'shop' at 127.0.0.1:{port} "
        f"as 'shop_reader': {what}")
    assert lines[0].strip().endswith(fix + " (or the user in SHOP_DATABASE_URL)"
                                     if wrong == "password" else fix)


@pytest.mark.parametrize("edit, says", [
    (("table: order_lines", "table: order_line"),
     "entities.order_lines.table: table shop.order_line not found in the shop database"),
    (("join: {table: orders, using: order_id}", "join: {table: orders, using: order_no}"),
     "entities.order_lines.join.using: column 'order_no' is not in shop.order_lines"),
    (("      city: city", "      city: town"),
     "entities.customers.columns.city: column 'town' is not in shop.customers"),
    (("  schema: shop\n", "  schema: shop\n  type: {other}\n"),
     "database.type: the mapping expects a {other} database, SHOP_DATABASE_URL names a {kind} one"),
])
def test_missing_table_column_or_wrong_type_stops_the_build_naming_it(server, mapping_file,
                                                                       tmp_path, edit, says):
    other = "mysql" if server.kind == "postgres" else "postgres"
    edit = [e.replace("{other}", other) for e in edit]
    says = says.replace("{other}", other).replace("{kind}", server.kind)
    text = (FIXTURE / "mapping.yml").read_text()
    assert edit[0] in text
    result = run_dbt(["build"], FIXTURE, tmp_path,
                     write_mapping(mapping_file, text.replace(edit[0], edit[1])),
                     env=server.env(), timeout=300)
    assert result.returncode != 0
    assert says in result.stdout, result.stdout[-3000:]
    assert "OK created" not in result.stdout  # stopped before any model


# Expected figures: the tiny shop's, worked out by hand in test_tiny_shop.py (net = quantity x
# price x (1 - discount); O1-1: 2 x 10 x 0.9 = 18).

def test_zero_price_and_outlier_lines_are_quarantined(warehouse):
    # Rows are numbered in the order of all their columns: order_lines by order_id, line (O1-1,
    # O1-2, O2-1, O3-1, O6-1, O7-1, O8-1, R1-1); products by id (P4 is the fourth).
    assert rows(warehouse, "select source_table, source_row_number, reason "
                           "from quarantined_rows order by 1, 2") == [
        ("order_lines", 5, "non_positive_price"),
        ("order_lines", 6, "outlier_quantity"),
        ("products", 4, "non_positive_price"),
    ]
    assert rows(warehouse, "select source_table, raw_rows, clean_rows, quarantined_rows "
                           "from row_reconciliation where raw_rows > 0 order by 1") == [
        ("customers", 3, 3, 0), ("order_lines", 8, 6, 2), ("products", 4, 3, 1)]


def test_line_amounts_as_from_the_files(warehouse):
    assert rows(warehouse, "select order_line_id, gross_amount, net_amount "
                           "from fct_order_lines order by 1") == [
        ("O1-1", 20.0, 18.0), ("O1-2", 20.0, 20.0), ("O2-1", 20.0, 20.0),
        ("O3-1", 20.0, 20.0), ("O8-1", 5.0, 5.0), ("R1-1", -20.0, -20.0)]
    assert rows(warehouse, "select ordered_at::varchar from fct_order_lines "
                           "where order_line_id = 'O2-1'") == [("2024-03-06 11:30:00",)]


def test_orders_and_customers_as_from_the_files(warehouse):
    assert rows(warehouse, """
        select order_id, customer_id, is_return, is_guest, customer_order_number
        from fct_orders order by order_id""") == [
        ("O1", "C1", False, False, 1), ("O2", None, False, True, None),
        ("O3", "C2", False, False, 1), ("O8", "C1", False, False, 2),
        ("R1", "C1", True, False, None)]
    assert rows(warehouse, """
        select customer_id, country, city, order_count, return_count,
               round(lifetime_net_amount, 2)
        from dim_customers order by 1""") == [
        ("C1", "United Kingdom", "London", 2, 1, 23.0),  # 18 + 20 - 20 + 5
        ("C2", "United Kingdom", "London", 1, 0, 20.0),
        ("C3", "United Kingdom", "London", 0, 0, 0.0),
    ]
    assert rows(warehouse, "select product_id, category from dim_products order by 1") == [
        ("P1", "Kitchen"), ("P2", "Kitchen"), ("P3", "Decor")]
