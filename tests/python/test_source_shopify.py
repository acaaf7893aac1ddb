"""The shipped Shopify mapping (mappings/shopify.yml) on a fixture "Export orders" CSV written
from Shopify's documented layout (one row per line item, order fields on the first row only):
every dbt test green, and the marts checked against the fixture by hand.

The fixture (tests/python/fixtures/shopify/orders_export_1.csv), shop currency USD, EUR at 1.10:
  #1001 Jan 5  alice   SKU-A 2 x 10 + SKU-B 1 x 30 = 50, Discount Amount 5 (WELCOME10), Shipping 5
  #1002 Jan 20 guest   SKU-C 1 x 15 = 15
  #1003 Feb 3  " Bob@Example.com " EUR: SKU-A 3 x 10 EUR = 3 x 11 USD = 33, Shipping 4 EUR = 4.40
  #1004 Feb 10 alice   SKU-B 1 x 30 = 30, refunded, Refunded Amount 30
  #1005 Feb 15 carol   SKU-A 1 x 10 + SKU-C 2 x 15 = 40, partially_refunded, Refunded Amount 12.50
  #1006 Mar 1  bob     SKU-C 2 x 15 = 30, voided, Cancelled at set
  #1007 Mar 12 guest   SKU-B 1 x 30 + SKU-D 1 x 20 = 50, Discount Amount 10 (SPRING), Shipping 6
  #1008 Mar 20 guest   SKU-D 1 x "n/a": quarantined (invalid_unit_price)
"""

import pytest

from dbt_runner import REPO_ROOT, assert_stored_nowhere, hashed_email, mapped_shop, rows

FIXTURE = REPO_ROOT / "tests" / "python" / "fixtures" / "shopify"
CLEAR_EMAILS = ["alice@example.com", "Bob@Example.com", "bob@example.com", "carol@example.com"]
pytestmark = pytest.mark.dbt


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory):
    with mapped_shop(FIXTURE, tmp_path_factory.mktemp("shopify"), "shopify", {"EUR": 1.10}) as con:
        yield con


def test_kpi_monthly_by_hand(warehouse):
    got = rows(warehouse, """
        select strftime(month_start_date, '%Y-%m'), round(gross_revenue, 6),
               round(discount_amount, 6), round(returns_amount, 6), round(net_revenue, 6),
               orders, customers, round(delivery_charge, 6)
        from kpi_monthly order by 1""")
    assert got == [
        # Jan: gross 50 + 15 = 65, discount 5, net 60; orders #1001 #1002; customers alice
        # (the guest has none); delivery 5.
        ("2024-01", 65.0, 5.0, 0.0, 60.0, 2, 1, 5.0),
        # Feb: gross 33 + 30 + 40 = 103; returns: the refunds 30 (#1004) + 12.50 (#1005) = 42.50;
        # net 103 - 42.50 = 60.50; orders #1003 #1004 #1005; customers bob, alice, carol;
        # delivery 4 EUR = 4.40.
        ("2024-02", 103.0, 0.0, 42.5, 60.5, 3, 3, 4.4),
        # Mar: gross 30 (#1006) + 50 (#1007) = 80, discount 10; returns: #1006 cancelled,
        # reversed 30; net 80 - 10 - 30 = 40; orders #1006 #1007 (#1008 quarantined);
        # customers bob (the guest has none); delivery 6.
        ("2024-03", 80.0, 10.0, 30.0, 40.0, 2, 1, 6.0),
    ]


def test_orders_returns_and_discounts(warehouse):
    got = rows(warehouse, """
        select order_id, customer_id, return_of_order_id, is_return, round(gross_amount, 6),
               round(discount_amount, 6), round(net_amount, 6), coupon_code
        from fct_orders order by order_id""")
    alice, bob, carol = (hashed_email(e) for e in ("alice@example.com", "bob@example.com",
                                             "carol@example.com"))
    assert got == [
        # 5 / 50 = 10 % on each line: 2 + 3
        ("#1001", alice, None, False, 50.0, 5.0, 45.0, "WELCOME10"),
        ("#1002", None, None, False, 15.0, 0.0, 15.0, None),
        # " Bob@Example.com " hashes like "bob@example.com"; 3 x 10 EUR x 1.10
        ("#1003", bob, None, False, 33.0, 0.0, 33.0, None),
        ("#1004", alice, None, False, 30.0, 0.0, 30.0, None),
        ("#1004-refund", alice, "#1004", True, -30.0, 0.0, -30.0, None),
        ("#1005", carol, None, False, 40.0, 0.0, 40.0, None),
        ("#1005-refund", carol, "#1005", True, -12.5, 0.0, -12.5, None),
        ("#1006", bob, None, False, 30.0, 0.0, 30.0, None),
        ("#1006-cancelled", bob, "#1006", True, -30.0, 0.0, -30.0, None),
        # 10 / 50 = 20 % on each line: 6 + 4
        ("#1007", None, None, False, 50.0, 10.0, 40.0, "SPRING"),
    ]


def test_customers_products_and_reconciliation(warehouse):
    assert rows(warehouse, """
        select customer_id, country, order_count, return_count, round(lifetime_net_amount, 6)
        from dim_customers order by country""") == [
            # bob: #1003 33 + #1006 30 - 30 = 33
            (hashed_email("bob@example.com"), "DE", 2, 1, 33.0),
            # carol: 40 - 12.50
            (hashed_email("carol@example.com"), "GB", 1, 1, 27.5),
            # alice: 45 + 30 - 30
            (hashed_email("alice@example.com"), "US", 2, 1, 45.0),
        ]
    assert rows(warehouse, "select product_id, product_name from dim_products order by 1") == [
        ("SKU-A", "Blue Mug"), ("SKU-B", "Red Teapot"), ("SKU-C", "Green Cup"),
        ("SKU-D", "Yellow Bowl"), ("refund", "Refund")]
    assert rows(warehouse, "select source_table, reason from quarantined_rows") == [
        ("order_lines", "invalid_unit_price")]
    # 11 file rows + 1 reversal line (#1006) + 2 refund lines = 14 staged = 13 clean + 1.
    assert rows(warehouse, """
        select raw_rows, clean_rows, quarantined_rows, is_reconciled from row_reconciliation
        where source_table = 'order_lines'""") == [(14, 13, 1, True)]
    # Entities the mapping does not provide are said so.
    assert rows(warehouse, """
        select source_table from row_reconciliation where is_provided_by_source
        order by 1""") == [("customers",), ("order_lines",), ("products",), ("shipments",)]


def test_clear_email_is_stored_nowhere(warehouse):
    assert_stored_nowhere(warehouse, CLEAR_EMAILS)
