"""The `olist` source adapter (models/staging/olist/): the Olist Brazilian e-commerce public
dataset (Kaggle `olistbr/brazilian-ecommerce`) mapped into the canonical contract.

The full dataset (nine CSVs) is a user download from Kaggle. $SHARED_DATA_DIR/olist (default
<repo>/../shared/data) holds only four of them (payments, products, sellers, category
translation), so two warehouses are built:
* a tiny hand-made shop in the Kaggle layout (tests/python/fixtures/olist: quoted headers,
  ids quoted only when they begin with a digit, `2017-10-02 10:56:33` timestamps, a review
  comment with a line break, the translation file with a BOM, CRLF and no final newline),
  every figure worked out by hand below;
* the real payments, products and translation files with the tiny shop's orders, items,
  customers and reviews (the real ones are absent), skipped with the reason when the real
  files are absent: the real files are read and reconciled.

The tiny shop (ids shortened to their first two characters):
  order  person  status       purchased            promised    delivered   items (price+freight)
  1a     8a Ana  delivered    2017-10-02 10:56:33  2017-10-18  2017-10-10  58.90+13.29
  b2     8a Ana  delivered    2018-01-10 09:00:00  2018-01-25  2018-01-30  2 x (100.00+20.00),
                                                                           35.50+7.25
  c3     b0      delivered    2018-02-05 14:30:00  2018-02-20  2018-02-12  199.99+17.51
  d4     ca      canceled     2018-03-01 08:00:00  2018-03-20  -           58.90+13.29
  e5     d0      unavailable  2018-03-05 12:00:00  2018-03-28  -           none
  6f     (none)  delivered    2018-04-02 16:20:00  2018-04-09  2018-04-09  35.50+10.10
  f7 is not in the orders file (one item, 10.00+5.00); 6f's item row is repeated at the end.
Ana's two orders have two per-order customer records (c1 in sao paulo, c2 in campinas); 6f's
record c6 is missing from the customers table.
"""

import csv
import gzip
import os
from collections import Counter
from decimal import Decimal
from pathlib import Path

import pytest

from ecommerce_warehouse import schemas

from dbt_runner import REPO_ROOT, build_warehouse, rows

FIXTURE = REPO_ROOT / "tests" / "python" / "fixtures" / "olist"
SHARED_DATA = Path(os.environ.get("SHARED_DATA_DIR", REPO_ROOT.parent / "shared" / "data"))
REAL_DATA = Path(os.environ.get("OLIST_DATA_DIR", SHARED_DATA / "olist"))
# The real files the shared folder has (reviews and geolocation are missing; reviews are
# optional to the adapter, geolocation and sellers are not read).
REAL_FILES = [
    "olist_orders_dataset",
    "olist_order_items_dataset",
    "olist_customers_dataset",
    "olist_order_payments_dataset",
    "olist_products_dataset",
    "product_category_name_translation",
]
# Published order status counts (Kaggle; ../shared/data/olist/SOURCE.md).
PUBLISHED_STATUSES = {
    "delivered": 96_478, "shipped": 1_107, "canceled": 625, "unavailable": 609,
    "invoiced": 314, "processing": 301, "created": 5, "approved": 2,
}
# Orders whose lines the contract quarantines: never sold.
NOT_SOLD = ("canceled", "unavailable")
VARS = "{source_system: olist}"

pytestmark = pytest.mark.dbt


def ids(n):
    """The tiny shop's 32-character ids, from the two characters the docstring uses."""
    return n + "0" * 29 + {"1a": "1", "b2": "2", "c3": "3", "d4": "4", "e5": "5", "6f": "6",
                           "f7": "7", "8a": "1", "b0": "2", "ca": "3", "d0": "4"}[n]



def approx(values):
    return pytest.approx(values, abs=1e-9)


# --- the tiny shop ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    path = build_warehouse(FIXTURE, tmp_path_factory.mktemp("olist_tiny"), extra_vars=VARS)
    with schemas.connect(path) as con:
        yield con


def test_fixture_keeps_the_kaggle_layout():
    orders = (FIXTURE / "olist_orders_dataset.csv").read_text(encoding="utf-8").splitlines()
    assert orders[0].startswith('"order_id","customer_id","order_status",')
    assert orders[1].startswith('"1a000000000000000000000000000001",c1')  # digit: quoted
    assert ",2017-10-02 10:56:33," in orders[1]
    reviews = (FIXTURE / "olist_order_reviews_dataset.csv").read_text(encoding="utf-8")
    assert '"Chegou depois do prazo, \nmuito ruim"' in reviews
    translation = (FIXTURE / "product_category_name_translation.csv").read_bytes()
    assert translation.startswith(b"\xef\xbb\xbfproduct_category_name,")
    assert b"\r\n" in translation and not translation.endswith(b"\n")


def test_tiny_raw_rows_equal_clean_plus_quarantined(tiny):
    assert rows(tiny, """
        select source_table, raw_rows, clean_rows, quarantined_rows, is_reconciled
        from row_reconciliation where is_provided_by_source order by 1
    """) == [
        ("customers", 4, 4, 0, True),     # 5 per-order records, 4 people
        ("order_lines", 8, 5, 3, True),   # 9 item rows: b2's two identical units are one line
        ("products", 5, 5, 0, True),
        ("reviews", 5, 5, 0, True),
        ("shipments", 6, 6, 0, True),     # one per order of the orders file
    ]
    # Every raw item is a unit of a staged line (clean or quarantined).
    assert rows(tiny, "select sum(quantity::int) from stg_olist__order_lines") == [(9,)]


def test_tiny_quarantine(tiny):
    assert rows(tiny, """
        select source_table, source_row_number, reason from quarantined_rows order by 1, 2
    """) == [
        ("order_lines", 6, "canceled_order"),       # d4 was canceled: not a sale
        ("order_lines", 8, "missing_ordered_at"),   # order f7 is not in the orders file
        ("order_lines", 9, "duplicate"),            # 6f's item 1 again
    ]


def test_tiny_order_lines(tiny):
    assert rows(tiny, """
        select order_id, line_number, customer_id, quantity, unit_price, gross_amount,
               category
        from fct_order_lines order by ordered_at, line_number
    """) == [
        (ids("1a"), 1, ids("8a"), 1, 58.9, 58.9, "perfumery"),
        (ids("b2"), 1, ids("8a"), 2, 100.0, 200.0, "bed_bath_table"),   # items 1 and 2
        (ids("b2"), 3, ids("8a"), 1, 35.5, 35.5, "pc_gamer"),           # no translation
        (ids("c3"), 1, ids("b0"), 1, 199.99, 199.99, None),             # no category
        (ids("6f"), 1, None, 1, 35.5, 35.5, "pc_gamer"),                # guest
    ]
    assert rows(tiny, "select order_item_ids from stg_olist__order_lines "
                      f"where order_id = '{ids('b2')}' order by 1") == [("1,2",), ("3",)]
    # b2's freight 47.25 shared by gross 200 : 35.5.
    assert rows(tiny, f"""
        select delivery_charge, line_total from fct_order_lines
        where order_id = '{ids("b2")}' order by line_number
    """) == [approx((47.25 * 200 / 235.5, 200 + 47.25 * 200 / 235.5)),
             approx((47.25 * 35.5 / 235.5, 35.5 + 47.25 * 35.5 / 235.5))]


def test_tiny_orders_totals_delivery_and_reviews(tiny):
    # order total = sum of prices + sum of freight; late = delivered on a later day than
    # promised (6f arrived at 11:00 on the promised day: on time).
    got = rows(tiny, """
        select order_id, customer_id, customer_order_number, is_guest,
               promised_delivery_date::varchar, delivered_date::varchar, is_delivered,
               is_late_delivery, delivery_delay_days, review_rating, review_count,
               item_quantity, gross_amount, delivery_charge, order_total
        from fct_orders order by ordered_at
    """)
    expected = [
        (ids("1a"), ids("8a"), 1, False, "2017-10-18", "2017-10-10", True, False, -8, 4.0, 1,
         1, 58.90, 13.29, 72.19),
        (ids("b2"), ids("8a"), 2, False, "2018-01-25", "2018-01-30", True, True, 5, 1.0, 1,
         3, 235.50, 47.25, 282.75),                 # 2 x 100 + 35.5; 2 x 20 + 7.25
        (ids("c3"), ids("b0"), 1, False, "2018-02-20", "2018-02-12", True, False, -8, 5.0, 1,
         1, 199.99, 17.51, 217.50),
        (ids("6f"), None, None, True, "2018-04-09", "2018-04-09", True, False, 0, 5.0, 1,
         1, 35.50, 10.10, 45.60),
    ]
    assert [r[:12] for r in got] == [e[:12] for e in expected]
    for got_row, expected_row in zip(got, expected, strict=True):
        assert got_row[12:] == approx(expected_row[12:]), got_row[0]
    # e5 (unavailable, no items) has a shipment but no order line, so no order.
    assert rows(tiny, "select delivery_charge, promised_delivery_date::varchar "
                      f"from int_shipments_cleaned where order_id = '{ids('e5')}'") == [
        (None, "2018-03-28")]


def test_tiny_reviews(tiny):
    # Review a3 covers two orders (c3 and 6f): both rows kept under '<review_id>/<order_id>'.
    a3 = "a3" + "0" * 29 + "3"
    assert rows(tiny, """
        select review_id, order_id, rating, reviewed_at::varchar
        from int_reviews_cleaned order by source_row_number
    """) == [
        ("1e" + "0" * 29 + "1/" + ids("1a"), ids("1a"), 4, "2017-10-11 00:00:00"),
        ("a2" + "0" * 29 + "2/" + ids("b2"), ids("b2"), 1, "2018-01-31 00:00:00"),
        (f"{a3}/{ids('c3')}", ids("c3"), 5, "2018-02-13 00:00:00"),
        (f"{a3}/{ids('6f')}", ids("6f"), 5, "2018-02-13 00:00:00"),
        ("a4" + "0" * 29 + "4/" + ids("d4"), ids("d4"), 2, "2018-03-10 00:00:00"),
    ]
    assert rows(tiny, "select review_comment_message from stg_olist__reviews "
                      "where rating = '1'") == [("Chegou depois do prazo, \nmuito ruim",)]
    # Average score of the orders sold (d4, canceled, is not one): (4 + 1 + 5 + 5) / 4.
    ((average,),) = rows(tiny, "select avg(review_rating) from fct_orders")
    assert average == approx(15 / 4)


def test_tiny_unique_customers_vs_per_order_records(tiny):
    # 6 orders name 6 per-order customer records; the customers table has 5 of them (c6 is
    # missing) for 4 people; 5 orders have lines, d4's canceled: 4 orders sold, 3 of them with a
    # person (2 people), 1 guest.
    assert rows(tiny, """
        select count(*), count(distinct order_customer_id), count(distinct customer_unique_id)
        from base_olist__customers
    """) == [(5, 5, 4)]
    assert rows(tiny, "select count(distinct order_customer_id) from base_olist__orders") == [
        (6,)]
    assert rows(tiny, "select count(*), count(customer_id), count(distinct customer_id) "
                      "from fct_orders") == [(4, 3, 2)]
    # Ana's first record (sao paulo) wins over her second (campinas).
    assert rows(tiny, """
        select customer_id, country, city, order_count from dim_customers order by 1
    """) == [
        (ids("8a"), "Brazil", "sao paulo", 2),
        (ids("b0"), "Brazil", "rio de janeiro", 1),
        (ids("ca"), "Brazil", "belo horizonte", 0),     # d4 canceled
        (ids("d0"), "Brazil", "curitiba", 0),
    ]


def test_tiny_products(tiny):
    assert rows(tiny, """
        select product_id, category, is_in_catalogue, units_sold from dim_products order by 1
    """) == [
        ("9f" + "0" * 29 + "1", "perfumery", True, 1),       # 1a (d4 canceled)
        ("b5" + "0" * 29 + "2", "bed_bath_table", True, 2),
        ("c5" + "0" * 29 + "3", "pc_gamer", True, 2),        # Portuguese: no translation
        ("d5" + "0" * 29 + "4", None, True, 1),              # no category (f7's unit dropped)
        ("e5" + "0" * 29 + "5", "art", True, 0),
    ]


def test_tiny_payments_match_order_totals(tiny):
    # Each order's payments add up to its prices + freight (b2: 250.00 card + 32.75 voucher).
    assert rows(tiny, """
        with paid as (
            select order_id, sum(payment_value::decimal(18, 2)) as paid, count(*) as payments
            from base_olist__order_payments group by 1
        )
        select left(orders.order_id, 2), paid.payments, paid.paid,
               abs(paid.paid - orders.order_total) < 1e-9
        from fct_orders as orders left join paid using (order_id)
        order by orders.ordered_at
    """) == [
        ("1a", 1, Decimal("72.19"), True),
        ("b2", 2, Decimal("282.75"), True),
        ("c3", 1, Decimal("217.50"), True),
        ("6f", 1, Decimal("45.60"), True),
    ]


# --- the real files (the 7 tables of the shared data folder) ------------------------------


def read_raw(name):
    """The rows of a real raw file as dicts, read with Python's csv (not DuckDB)."""
    with gzip.open(REAL_DATA / f"{name}.csv.gz", "rt", encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


@pytest.fixture(scope="module")
def real_raw():
    missing = [n for n in REAL_FILES if not (REAL_DATA / f"{n}.csv.gz").is_file()]
    if missing:
        pytest.skip(f"Olist files absent from {REAL_DATA} (set OLIST_DATA_DIR or "
                    "SHARED_DATA_DIR): " + ", ".join(f"{n}.csv.gz" for n in missing))
    return {name: read_raw(name) for name in REAL_FILES}


@pytest.fixture(scope="module")
def real(real_raw, tmp_path_factory):
    # The shared folder itself: the reviews file is absent (optional), sellers and
    # geolocation are not read.
    path = build_warehouse(REAL_DATA, tmp_path_factory.mktemp("olist_real"), extra_vars=VARS)
    with schemas.connect(path) as con:
        yield con


@pytest.fixture(scope="module")
def sold(real_raw):
    """What the raw files say was sold, worked out in Python: the items of the orders that are
    neither canceled nor unavailable, the orders and the people (customer_unique_id)."""
    status = {r["order_id"]: r["order_status"] for r in real_raw["olist_orders_dataset"]}
    person = {r["customer_id"]: r["customer_unique_id"]
              for r in real_raw["olist_customers_dataset"]}
    order_customer = {r["order_id"]: r["customer_id"] for r in real_raw["olist_orders_dataset"]}
    items = [r for r in real_raw["olist_order_items_dataset"]
             if status[r["order_id"]] not in NOT_SOLD]
    orders = {r["order_id"] for r in items}
    return {
        "items": items,
        "orders": orders,
        "customers": {person[order_customer[o]] for o in orders},
        "net_revenue": sum(Decimal(r["price"]) for r in items),
        "not_sold_items": [r for r in real_raw["olist_order_items_dataset"]
                           if status[r["order_id"]] in NOT_SOLD],
    }


def test_real_raw_files(real_raw):
    payments = real_raw["olist_order_payments_dataset"]
    assert len(payments) == 103_886
    assert len({r["order_id"] for r in payments}) == 99_440
    assert len(real_raw["olist_products_dataset"]) == 32_951
    assert len(real_raw["product_category_name_translation"]) == 71
    # The published figures (Kaggle; ../shared/data/olist/SOURCE.md).
    orders = real_raw["olist_orders_dataset"]
    assert len(orders) == len({r["order_id"] for r in orders}) == 99_441
    assert len({r["customer_unique_id"] for r in real_raw["olist_customers_dataset"]}) == 96_096
    assert len(real_raw["olist_order_items_dataset"]) == 112_650
    assert Counter(r["order_status"] for r in orders) == PUBLISHED_STATUSES
    with_items = {r["order_id"] for r in real_raw["olist_order_items_dataset"]}
    assert len({r["order_id"] for r in orders} - with_items) == 775


def test_real_published_figures(real):
    assert rows(real, "select count(*), count(distinct order_id) from base_olist__orders") == [
        (99_441, 99_441)]
    assert dict(rows(real, "select order_status, count(*) from base_olist__orders group by 1")
                ) == PUBLISHED_STATUSES
    assert rows(real, "select count(distinct customer_unique_id) from base_olist__customers"
                ) == [(96_096,)]
    assert rows(real, "select count(*) from dim_customers") == [(96_096,)]
    assert rows(real, "select count(*) from base_olist__order_items") == [(112_650,)]
    # Every item is one unit of one staged order line.
    assert rows(real, "select sum(quantity::int) from stg_olist__order_lines") == [(112_650,)]
    # 775 orders have no items: a shipment each, no order.
    assert rows(real, "select count(*) from int_shipments_cleaned as s where not exists "
                      "(select 1 from base_olist__order_items as i where i.order_id = s.order_id)"
                ) == [(775,)]
    assert rows(real, "select count(*) from stg_olist__reviews") == [(0,)]


def test_real_raw_equals_clean_plus_quarantined(real_raw, sold, real):
    assert rows(real, """
        select raw_table, raw_rows, clean_raw_rows, quarantined_raw_rows, is_reconciled
        from olist_raw_reconciliation order by 1
    """) == [
        ("olist_customers_dataset", 99_441, 99_441, 0, True),
        ("olist_order_items_dataset", 112_650, 112_650 - len(sold["not_sold_items"]),
         len(sold["not_sold_items"]), True),
        ("olist_orders_dataset", 99_441, 99_441, 0, True),
        ("olist_products_dataset", 32_951, 32_951, 0, True),
    ]
    assert rows(real, "select count(*) from row_reconciliation where not is_reconciled") == [
        (0,)]
    # Quarantined lines: only the canceled and unavailable orders' (one line per order,
    # product and price, as stg_olist__order_lines folds identical items).
    status = {r["order_id"]: r["order_status"] for r in real_raw["olist_orders_dataset"]}
    lines = {(r["order_id"], r["product_id"], r["price"]) for r in sold["not_sold_items"]}
    expected = Counter(f"{status[o]}_order" for o, _, _ in lines)
    assert dict(rows(real, "select reason, count(*) from quarantined_rows group by 1")
                ) == dict(expected)


def test_real_sales_headline(sold, real):
    ((net_revenue, lines_units),) = rows(real, "select sum(net_amount), sum(quantity) "
                                               "from fct_order_lines")
    assert net_revenue == pytest.approx(float(sold["net_revenue"]), abs=0.01)   # double sums
    assert lines_units == len(sold["items"])
    assert rows(real, "select count(*), count(distinct customer_id), count(*) - count(customer_id) "
                      "from fct_orders") == [(len(sold["orders"]), len(sold["customers"]), 0)]
    ((kpi_revenue, kpi_orders),) = rows(real, "select sum(net_revenue), sum(orders) "
                                              "from kpi_monthly")
    assert kpi_revenue == pytest.approx(float(sold["net_revenue"]), abs=0.01)
    assert kpi_orders == len(sold["orders"])
    assert rows(real, "select count(*) from fct_orders where order_id in "
                      "(select order_id from base_olist__orders "
                      " where order_status in ('canceled', 'unavailable'))") == [(0,)]


def test_real_payments_against_order_totals(real_raw, real):
    total = {}
    for r in real_raw["olist_order_items_dataset"]:
        total[r["order_id"]] = total.get(r["order_id"], 0) + Decimal(r["price"]) + Decimal(
            r["freight_value"])
    paid = {}
    for r in real_raw["olist_order_payments_dataset"]:
        paid[r["order_id"]] = paid.get(r["order_id"], 0) + Decimal(r["payment_value"])
    orders = {r["order_id"] for r in real_raw["olist_orders_dataset"]} | paid.keys()
    differ = {o for o in orders
              if o not in total or o not in paid or abs(paid[o] - total[o]) > Decimal("0.01")}
    assert rows(real, "select count(*), count(*) filter (where not is_matched) "
                      "from olist_payment_reconciliation") == [(len(orders), len(differ))]
    reasons = dict(rows(real, "select mismatch_reason, count(*) from olist_payment_reconciliation "
                              "where not is_matched group by 1"))
    assert reasons["no_items"] == len(paid.keys() - total.keys())
    assert reasons.get("no_payments", 0) == len(total.keys() - paid.keys())
    assert sum(reasons.values()) == len(differ)


def test_real_payments_staged(real_raw, real):
    payments = real_raw["olist_order_payments_dataset"]
    total = sum(Decimal(r["payment_value"]) for r in payments)
    assert rows(real, """
        select count(*), count(distinct order_id), sum(payment_value::decimal(18, 2)),
               count(*) filter (where payment_type = 'not_defined'),
               count(*) filter (where payment_installments = '0'),
               count(*) filter (where payment_value::decimal(18, 2) = 0)
        from base_olist__order_payments
    """) == [(103_886, 99_440, total, 3, 2, 9)]


def test_real_products_reconciled(real):
    assert rows(real, """
        select raw_rows, clean_rows, quarantined_rows, is_reconciled
        from row_reconciliation where source_table = 'products'
    """) == [(32_951, 32_951, 0, True)]
    assert rows(real, "select count(*) from row_reconciliation where not is_reconciled") == [
        (0,)]


def test_real_category_translation(real_raw, real):
    english = {r["product_category_name"]: r["product_category_name_english"]
               for r in real_raw["product_category_name_translation"]}
    categories = [r["product_category_name"] for r in real_raw["olist_products_dataset"]]
    portuguese = {c for c in categories if c}
    assert len(portuguese) == 73
    # The translation covers every category but two; it has none the products lack.
    assert portuguese - english.keys() == {
        "pc_gamer", "portateis_cozinha_e_preparadores_de_alimentos"}
    assert english.keys() <= portuguese
    translated = sum(c in english for c in categories)
    untranslated = sum(bool(c) and c not in english for c in categories)
    assert (translated, untranslated, categories.count("")) == (32_328, 13, 610)
    assert rows(real, """
        select count(*) filter (where p.category = t.category_english),
               count(*) filter (
                   where t.category_portuguese is null and p.category = p.category_portuguese
               ),
               count(*) filter (where p.category is null),
               count(distinct p.category)
        from int_products_cleaned as c
        inner join stg_olist__products as p using (product_id)
        left join base_olist__product_category_name_translation as t
            on p.category_portuguese = t.category_portuguese
    """) == [(translated, untranslated, 610, 73)]
    expected = {english.get(c, c) for c in portuguese}
    assert {r[0] for r in rows(real, "select distinct category from int_products_cleaned "
                                     "where category is not null")} == expected
