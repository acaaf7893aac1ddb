"""python -m ecommerce_warehouse.inspect: known layouts recognised, unknown ones get a mapping.

Expected rows are the fixture files' data lines counted by hand (`wc -l` minus the header;
CDNOW: the README's 13 master rows and 4 sample rows), dates read off the files.
"""

import io
from datetime import datetime

import pytest
import yaml

from ecommerce_warehouse.inspect import inspect_folder, main

from dbt_runner import REPO_ROOT

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
    for name, (layout, rows) in expected.items():
        assert reports[name].layout.name == layout, name
        assert reports[name].rows == rows, name
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


# Shopify's "Export orders" and WooCommerce's one-row-per-item export (their documented
# headers, docs/source_mapping.md), two orders in two currencies each.
SHOPIFY = ("Name,Email,Financial Status,Paid at,Currency,Subtotal,Shipping,Taxes,Total,"
           "Discount Code,Discount Amount,Created at,Lineitem quantity,Lineitem name,"
           "Lineitem price,Lineitem sku,Billing Country,Cancelled at,Refunded Amount\n"
           "#1001,a@example.com,paid,,EUR,20.00,5.00,0,25.00,,0,2024-03-05 10:00:00 +0100,2,"
           "Mug,10.00,MUG-1,NL,,0\n"
           "#1002,b@example.com,paid,,USD,8.00,0,0,8.00,,0,2024-04-01 09:30:00 -0400,1,"
           "Cap,8.00,CAP-1,US,,0\n")
WOO = ("order_id,order_number,order_date,status,shipping_total,order_total,refunded_total,"
       "order_currency,billing_email,billing_country,item_name,item_sku,item_quantity,"
       "item_total\n"
       "11,11,2024-05-02 12:00:00,completed,4.95,24.95,0,EUR,c@example.com,DE,Mug,MUG-1,2,20\n"
       "12,12,2024-06-30 18:15:00,refunded,0,30,30,GBP,,GB,Scarf,SCARF-1,1,30\n")


@pytest.mark.parametrize("name, text, layout, mapping, currencies, days", [
    ("orders_export_1.csv", SHOPIFY, "Shopify orders export", "shopify", ["EUR", "USD"],
     ("2024-03-05", "2024-04-01")),
    ("orders-2024.csv", WOO, "WooCommerce orders export", "woocommerce", ["EUR", "GBP"],
     ("2024-05-02", "2024-06-30")),
])
def test_platform_exports_recognised(tmp_path, name, text, layout, mapping, currencies, days):
    (tmp_path / name).write_text(text)
    reports, out, written = run(tmp_path)
    r = reports[name]
    assert (r.layout.name, r.rows, r.currencies) == (layout, 2, currencies)
    assert tuple(f"{d:%Y-%m-%d}" for d in r.date_range) == days
    assert f"make run RAW_DATA_PATH={tmp_path} SOURCE_MAPPING={mapping}" in out
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
