"""python -m ecommerce_warehouse.inspect: known layouts recognised, unknown ones get a mapping.

Expected rows are the fixture files' data lines counted by hand (`wc -l` minus the header;
CDNOW: the README's 13 master rows and 4 sample rows), dates read off the files.
"""

import io
from datetime import date, datetime

import duckdb
import pytest
import yaml

from ecommerce_warehouse import schemas
from ecommerce_warehouse.inspect import inspect_folder, main
from ecommerce_warehouse.paths import excel_extension

from dbt_runner import REPO_ROOT, build_warehouse, rows

FIXTURES = REPO_ROOT / "tests" / "python" / "fixtures"


def run(folder, **kw):
    out = io.StringIO()
    reports, written = inspect_folder(folder, out=out, **kw)
    return {r.path.name: r for r in reports}, out.getvalue(), written


@pytest.mark.parametrize("folder, expected", [
    ("online_retail/kaggle", {"data.csv": ("Online Retail I (UCI / Kaggle)", 10)}),
    ("online_retail/online_retail_ii", {
        "online_retail_II_2009-2010.csv": ("Online Retail II", 5),
        "online_retail_II_2010-2011.csv": ("Online Retail II", 4)}),
    ("olist", {"olist_orders_dataset.csv": ("Olist orders", 6),
               "olist_order_items_dataset.csv": ("Olist order items", 9),
               "olist_order_payments_dataset.csv": ("Olist order payments", 6),
               "olist_customers_dataset.csv": ("Olist customers", 5),
               "olist_products_dataset.csv": ("Olist products", 5),
               # 3 newlines, the last line has none
               "product_category_name_translation.csv": ("Olist category names", 4)}),
    ("marketing_insights", {
        "Online_Sales.csv": ("marketing case study: Online_Sales", 8),
        "CustomersData.csv": ("marketing case study: CustomersData", 5),
        "Discount_Coupon.csv": ("marketing case study: Discount_Coupon", 8),
        "Marketing_Spend.csv": ("marketing case study: Marketing_Spend", 3),
        "Tax_amount.csv": ("marketing case study: Tax_amount", 4)}),
    ("cdnow", {"CDNOW_master.txt": ("CDNOW transactions", 13),
               "CDNOW_sample.txt.gz": ("CDNOW transactions", 4)}),
    ("tiny_shop", {"order_lines.csv": ("demo shop order lines", 11),
                   "customers.csv": ("demo shop customers", 5)}),
])
def test_known_layouts_recognised(folder, expected):
    reports, text, written = run(FIXTURES / folder)
    for name, (layout, n_rows) in expected.items():
        assert reports[name].layout.name == layout, name
        assert reports[name].rows == n_rows, name
    assert all(r.layout for r in reports.values()), text
    source = next(iter(reports.values())).layout.source
    assert f"source_system: {source}, raw_data_path: {FIXTURES / folder}" in text
    assert written is None


def test_date_ranges():
    reports, text, _ = run(FIXTURES / "online_retail" / "kaggle")
    # data.csv: first line 12/1/2010 8:26 (month first), last valid 12/9/2011 12:50 (the
    # planted "1" and "31/12/2010 9:00" do not parse month first).
    assert reports["data.csv"].date_range == (datetime(2010, 12, 1, 8, 26),
                                              datetime(2011, 12, 9, 12, 50))
    assert "data.csv: Online Retail I (UCI / Kaggle), 10 rows, 2010-12-01 .. 2011-12-09" in text
    reports, _, _ = run(FIXTURES / "cdnow")
    lo, hi = reports["CDNOW_master.txt"].date_range     # README: rows 1 and 6 (13 is invalid)
    assert (lo.date(), hi.date()) == (datetime(1997, 1, 1).date(), datetime(1997, 4, 2).date())


# The Shopify and WooCommerce fixtures (their docstrings in test_source_shopify.py /
# test_source_woocommerce.py): Shopify orders #1001-#1008 with 2+1+1+1+2+1+2+1 = 11 line rows,
# Jan 5 .. Mar 20, USD and EUR; WooCommerce orders 101-107 with 2+1+1+1+2+1+1 = 9 item rows,
# Apr 2 .. May 25, USD, GBP.
@pytest.mark.parametrize("folder, name, layout, rows_, currencies, days", [
    ("shopify", "orders_export_1.csv", "Shopify orders export", 11, ["EUR", "USD"],
     ("2024-01-05", "2024-03-20")),
    ("woocommerce", "orders-2024-05-31.csv", "WooCommerce orders export", 9, ["GBP", "USD"],
     ("2024-04-02", "2024-05-25")),
])
def test_platform_exports_recognised(folder, name, layout, rows_, currencies, days):
    reports, out, written = run(FIXTURES / folder)
    r = reports[name]
    assert (r.layout.name, r.rows, r.currencies) == (layout, rows_, currencies)
    assert tuple(f"{d:%Y-%m-%d}" for d in r.date_range) == days
    assert f"make run RAW_DATA_PATH={FIXTURES / folder} SOURCE_MAPPING={folder}" in out
    # two currencies and a shipped mapping without rates: the build would stop, so it says so
    assert (f"several currencies ({', '.join(currencies)}): copy mappings/{folder}.yml" in out)
    assert written is None


def test_unknown_layout_gets_a_starting_mapping(tmp_path):
    # bestellungen.csv: ';'-separated, '1.234,50' numbers, dd.mm.yyyy dates, German headers.
    folder = FIXTURES / "unknown_shop"
    target = tmp_path / "mapping.yml"
    reports, out, written = run(folder, mapping_out=target)
    assert reports["bestellungen.csv"].layout is None and written == target
    text = target.read_text(encoding="utf-8")
    assert text.count("  # guess:") == 10
    # Worked out by hand from the file's header and its four rows.
    assert yaml.safe_load(text) == {"currency": "EUR", "entities": {"order_lines": {
        "files": "bestellungen.csv", "delimiter": ";", "quote": '"', "encoding": "utf-8",
        "decimal_separator": ",", "thousands_separator": ".",
        "timestamp_formats": ["%d.%m.%Y"],
        "columns": {"order_id": "Bestellnummer", "ordered_at": "Datum",
                    "product_id": "Artikelnummer", "quantity": "Menge",
                    "unit_price": "Einzelpreis", "customer_id": {"hash": "Kunde E-Mail"},
                    "product_name": "Artikel", "coupon_code": "Gutschein",
                    "currency": "Währung"}}}}
    assert "ordered_at: \"Datum\"  # guess: values parse as %d.%m.%Y" in text
    assert "columns not mapped: Notiz" in out
    assert f"SOURCE_MAPPING={target}" in out
    # a second run never overwrites the (possibly edited) mapping
    _, out, written = run(folder, mapping_out=target)
    assert written is None and "exists, not overwritten" in out


def test_unmappable_required_columns_are_listed(tmp_path):
    # No quantity column, and "Betrag" (amount) is not a unit price: both left to the user.
    (tmp_path / "export.csv").write_text("Order,Date,SKU,Betrag\n"
                                         "1,2024-01-02 10:00:00,A,12.50\n")
    _, out, written = run(tmp_path, mapping_out=tmp_path / "m.yml")
    assert "could not map (required): quantity, unit_price" in out
    assert "columns not mapped: Betrag" in out
    assert "# quantity: not found, map it by hand" in written.read_text()


def test_cli_errors(tmp_path):
    with pytest.raises(SystemExit, match="not a folder"):
        main([str(tmp_path / "nope")])
    with pytest.raises(SystemExit, match="no export files"):
        main([str(tmp_path)])


def test_dotted_dates_do_not_imply_a_thousands_separator(tmp_path):
    # "03.02.2024" has a dot before three digits, but only number columns say which separators.
    (tmp_path / "export.csv").write_text("Bestellnummer;Datum;Artikelnummer;Menge;Preis\n"
                                         "7;03.02.2024;A;1;9,99\n")
    _, _, written = run(tmp_path, mapping_out=tmp_path / "m.yml")
    order_lines = yaml.safe_load(written.read_text())["entities"]["order_lines"]
    assert order_lines["decimal_separator"] == ","
    assert "thousands_separator" not in order_lines
    assert order_lines["columns"]["unit_price"] == "Preis"


@pytest.mark.dbt
def test_the_guessed_mapping_builds_the_unknown_shop(tmp_path):
    """The mapping written for bestellungen.csv, unedited, builds with every dbt test green."""
    folder, mapping = FIXTURES / "unknown_shop", tmp_path / "mapping.yml"
    run(folder, mapping_out=mapping)
    path = build_warehouse(folder, tmp_path / "build", extra_vars=(
        f"{{source_system: mapped, source_mapping: '{mapping}'}}"))
    with schemas.connect(path) as con:
        orders = rows(con, """select order_id, order_date, customer_id is null,
                                     round(gross_amount, 2), coupon_code
                              from fct_orders order by order_id""")
        customers = rows(con, "select count(*) from dim_customers")[0][0]
    # By hand: B-1001 anna 1 x 1.234,50 + 2 x 9,99 = 1254.48; B-1002 guest 1 x 1.234,50 with
    # WINTER10; B-1003 bob 6 x 2,50 = 15.00.
    assert orders == [("B-1001", date(2024, 2, 3), False, 1254.48, None),
                      ("B-1002", date(2024, 2, 15), True, 1234.5, "WINTER10"),
                      ("B-1003", date(2024, 2, 28), False, 15.0, None)]
    assert customers == 2


def test_xlsx_export_recognised(tmp_path):
    extension = excel_extension()
    if not extension:
        pytest.skip("the duckdb-extension-excel wheel is not installed (make venv)")
    # The Online Retail II fixture's 4 rows (2010-12-01 .. 2011-12-09) as an Excel sheet.
    con = duckdb.connect()
    con.execute(f"load '{extension}'")
    source = FIXTURES / "online_retail" / "online_retail_ii" / "online_retail_II_2010-2011.csv"
    con.execute(f"copy (select * from read_csv('{source}', all_varchar = true)) "
                f"to '{tmp_path / 'retail.xlsx'}' (format xlsx, header true)")
    reports, out, _ = run(tmp_path)
    assert "retail.xlsx: Online Retail II, 4 rows, 2010-12-01 .. 2011-12-09" in out
