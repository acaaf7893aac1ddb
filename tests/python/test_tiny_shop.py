"""End to end on a ten-line shop whose every figure was worked out by hand
(tests/python/fixtures/tiny_shop; its order_lines.csv starts with a byte-order mark)."""

import pytest

from ecommerce_warehouse import schemas

from dbt_runner import REPO_ROOT, build_warehouse, rows

TINY_SHOP = REPO_ROOT / "tests" / "python" / "fixtures" / "tiny_shop"
pytestmark = pytest.mark.dbt


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory):
    path = build_warehouse(TINY_SHOP, tmp_path_factory.mktemp("tiny"))
    with schemas.connect(path) as con:
        yield con



def test_every_bad_row_is_quarantined_with_its_reason(warehouse):
    assert rows(warehouse, """
        select source_table, source_row_number, reason from quarantined_rows order by 1, 2
    """) == [
        ("customers", 4, "duplicate"),
        ("customers", 5, "invalid_signup_date"),
        ("order_lines", 5, "duplicate"),
        ("order_lines", 6, "invalid_quantity"),
        ("order_lines", 7, "invalid_ordered_at"),
        ("order_lines", 8, "non_positive_price"),
        ("order_lines", 9, "outlier_quantity"),
        ("products", 4, "non_positive_price"),
        ("reviews", 3, "rating_out_of_range"),
    ]


def test_quarantine_keeps_the_raw_text(warehouse):
    (record,) = rows(warehouse, """
        select raw_record from quarantined_rows where reason = 'invalid_quantity'
    """)[0]
    assert '"quantity":"ten"' in record and '"order_id":"O4"' in record


def test_raw_rows_equal_clean_plus_quarantined(warehouse):
    assert rows(warehouse, """
        select source_table, raw_rows, clean_rows, quarantined_rows
        from row_reconciliation where raw_rows > 0 order by 1
    """) == [
        ("coupons", 1, 1, 0), ("customers", 5, 3, 2), ("marketing_spend", 2, 2, 0),
        ("order_lines", 11, 6, 5), ("products", 4, 3, 1), ("retention_offers", 2, 2, 0),
        ("reviews", 3, 2, 1), ("shipments", 4, 4, 0), ("tax_rates", 2, 2, 0),
        ("web_events", 5, 5, 0),
    ]


def test_line_amounts(warehouse):
    # gross = qty x price; net = gross x (1 - discount); tax = net x rate (Kitchen 10 %,
    # Decor 20 %); delivery shared by gross within the order (O1: 5.00 over 20 : 20).
    got = rows(warehouse, """
        select order_line_id, gross_amount, net_amount, tax_amount, delivery_charge, line_total
        from fct_order_lines order by 1
    """)
    expected = [
        ("O1-1", 20.0, 18.0, 1.8, 2.5, 22.3),
        ("O1-2", 20.0, 20.0, 4.0, 2.5, 26.5),
        ("O2-1", 20.0, 20.0, 2.0, 0.0, 22.0),
        ("O3-1", 20.0, 20.0, 4.0, 4.99, 28.99),
        ("O8-1", 5.0, 5.0, 0.5, 4.99, 10.49),
        ("R1-1", -20.0, -20.0, -4.0, None, -24.0),
    ]
    assert [r[0] for r in got] == [e[0] for e in expected]
    for got_row, expected_row in zip(got, expected, strict=True):
        assert got_row[1:] == pytest.approx(expected_row[1:], abs=1e-9), got_row[0]


def test_orders(warehouse):
    got = rows(warehouse, """
        select order_id, customer_id, is_return, is_guest, customer_order_number,
               is_late_delivery, delivery_delay_days, review_rating, round(order_total, 2)
        from fct_orders order by order_id
    """)
    assert got == [
        ("O1", "C1", False, False, 1, False, -1, 5.0, 48.8),
        ("O2", None, False, True, None, True, 3, 2.0, 22.0),
        ("O3", "C2", False, False, 1, None, None, None, 28.99),
        ("O8", "C1", False, False, 2, False, 0, None, 10.49),
        ("R1", "C1", True, False, None, None, None, None, -24.0),
    ]


def test_customers_get_the_common_spelling_and_their_totals(warehouse):
    assert rows(warehouse, """
        select customer_id, country, city, order_count, return_count,
               round(lifetime_net_amount, 2)
        from dim_customers order by 1
    """) == [
        ("C1", "United Kingdom", "London", 2, 1, 23.0),  # 18 + 20 - 20 + 5
        ("C2", "United Kingdom", "London", 1, 0, 20.0),
        ("C3", "United Kingdom", "London", 0, 0, 0.0),
    ]


def test_products_and_calendar(warehouse):
    assert rows(warehouse, "select product_id, category from dim_products order by 1") == [
        ("P1", "Kitchen"), ("P2", "Kitchen"), ("P3", "Decor"),
    ]
    # Whole years: 2024 is a leap year; as-of date = day after the last order (2024-05-02).
    assert rows(warehouse, "select count(*), min(date_day)::varchar, max(date_day)::varchar "
                           "from dim_date") == [(366, "2024-01-01", "2024-12-31")]


# --- customer segmentation (models/marts/customers, python_models/segments) ---

def test_tiny_shop_features_worked_by_hand(warehouse):
    # as-of = day after the last order = 2024-05-02. C1: O1 2024-03-05 Tue 10:00 (Kitchen 18 +
    # Decor 20, coupon), return R1 -20, O8 2024-05-01 Wed 08:00 (Kitchen 5). C2: O3 2024-04-01
    # Mon 09:00 (Decor 20). C3's orders are all quarantined: no row.
    assert rows(warehouse, """
        select customer_id, recency_days, frequency, monetary, average_order_value,
               tenure_days, average_days_between_orders, coupon_order_share, return_rate,
               preferred_weekday, preferred_hour, favourite_category, country
        from customer_features order by 1""") == [
        ("C1", 1, 2, 23.0, 21.5, 58, 57.0, 0.5, 0.5, 2, 8, "Kitchen", "United Kingdom"),
        ("C2", 31, 1, 20.0, 20.0, 31, None, 0.0, 0.0, 1, 9, "Decor", "United Kingdom"),
    ]


def test_tiny_shop_rfm_and_the_one_cluster_fallback(warehouse):
    # Two customers: C1 is better on R, F and M: w = 1 -> 1 + floor(5 x 1 / 2) = 3; C2 w = 0 -> 1.
    assert rows(warehouse, """
        select customer_id, rfm_code, rfm_segment, value_tier, value_band
        from customer_rfm order by 1""") == [
        ("C1", "333", "Needs attention", "Silver", "mid"),
        ("C2", "111", "Lost", "Standard", "low"),
    ]
    # Two customers cannot be clustered into 4..8 groups with a silhouette: one cluster.
    assert rows(warehouse, "select k, is_chosen, silhouette_score "
                           "from customer_segment_model") == [(1, True, None)]
    assert rows(warehouse, "select customer_id, cluster_id, cluster_label "
                           "from customer_segments order by 1") == [
        ("C1", 1, "all customers"), ("C2", 1, "all customers")]
    # Two customers span one dimension: one principal component, a loading per feature.
    assert rows(warehouse, "select count(*), count(distinct component) "
                           "from customer_segment_loadings") == [(4, 1)]
