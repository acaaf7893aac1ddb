"""The shipped WooCommerce mapping (mappings/woocommerce.yml) on a fixture orders export in
the layout of WooCommerce's Customer/Order/Coupon Export, "Default CSV format - One row per
line item" (order fields on every item row): every dbt test green, marts checked by hand.

The fixture (tests/python/fixtures/woocommerce/orders-2024-05-31.csv), shop currency USD,
GBP at 1.25; unit price = item_subtotal / item_quantity, discount = 1 - item_total / subtotal:
  101 Apr 2  dan   WC-H 1 x 40 + WC-C 2 x 10 = 60, shipping 5
  102 Apr 15 eve (guest checkout, customer_id 0, with email) GBP: WC-C 1 x 10 GBP = 12.50 USD,
             shipping 4 GBP = 5
  103 Apr 20 dan   WC-H 2 x 40 = 80, item_total 72: 10 % off, coupon save10
  104 May 3  eve   WC-M 1 x 12, refunded, refunded_total 12
  105 May 10 dan   WC-H 1 x 40 + WC-M 2 x 12 = 64, refunded_total 12 (on both rows: counted once)
  106 May 20 frank WC-C 3 x 10 = 30, cancelled
  107 May 25 walk-in without email (guest): WC-M 1 x 12
"""

import pytest

from dbt_runner import REPO_ROOT, assert_stored_nowhere, hashed_email, mapped_shop, rows

FIXTURE = REPO_ROOT / "tests" / "python" / "fixtures" / "woocommerce"
pytestmark = pytest.mark.dbt


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory):
    work = tmp_path_factory.mktemp("woocommerce")
    with mapped_shop(FIXTURE, work, "woocommerce", {"GBP": 1.25}) as con:
        yield con


def test_kpi_monthly_by_hand(warehouse):
    assert rows(warehouse, """
        select strftime(month_start_date, '%Y-%m'), round(gross_revenue, 6),
               round(discount_amount, 6), round(returns_amount, 6), round(net_revenue, 6),
               orders, customers, round(delivery_charge, 6)
        from kpi_monthly order by 1""") == [
        # Apr: gross 60 + 12.50 + 80 = 152.50, discount 8 (103), net 144.50; orders 101-103;
        # customers dan, eve; delivery 5 + 5.
        ("2024-04", 152.5, 8.0, 0.0, 144.5, 3, 2, 10.0),
        # May: gross 12 + 64 + 30 + 12 = 118; returns: refunds 12 (104) + 12 (105) and the
        # cancelled 106 reversed, 30: 54; net 118 - 54 = 64; orders 104-107; customers eve,
        # dan, frank (107 has none); no delivery charge.
        ("2024-05", 118.0, 0.0, 54.0, 64.0, 4, 3, 0.0),
    ]


def test_orders_by_hand(warehouse):
    dan, eve, frank = (hashed_email(e) for e in ("dan@example.com", "eve@example.com",
                                           "frank@example.com"))
    assert rows(warehouse, """
        select order_id, customer_id, return_of_order_id, round(gross_amount, 6),
               round(discount_amount, 6), round(net_amount, 6), coupon_code
        from fct_orders order by order_id""") == [
        ("101", dan, None, 60.0, 0.0, 60.0, None),
        ("102", eve, None, 12.5, 0.0, 12.5, None),
        ("103", dan, None, 80.0, 8.0, 72.0, "save10"),
        ("104", eve, None, 12.0, 0.0, 12.0, None),
        ("104-refund", eve, "104", -12.0, 0.0, -12.0, None),
        ("105", dan, None, 64.0, 0.0, 64.0, None),
        ("105-refund", dan, "105", -12.0, 0.0, -12.0, None),
        ("106", frank, None, 30.0, 0.0, 30.0, None),
        ("106-cancelled", frank, "106", -30.0, 0.0, -30.0, None),
        ("107", None, None, 12.0, 0.0, 12.0, None),
    ]
    # 9 file rows + 1 reversal (106) + 2 refunds, all clean.
    assert rows(warehouse, """
        select raw_rows, clean_rows, quarantined_rows from row_reconciliation
        where source_table = 'order_lines'""") == [(12, 12, 0)]


def test_clear_email_is_stored_nowhere(warehouse):
    assert_stored_nowhere(warehouse, ["dan@example.com", "eve@example.com", "frank@example.com"])
