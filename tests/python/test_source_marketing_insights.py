"""The `marketing_insights` source adapter (models/staging/marketing_insights/): the
"Marketing Insights for E-Commerce Company" case study mapped into the canonical contract.

Two warehouses are built:
* a tiny hand-made shop in the source's exact layout (tests/python/fixtures/marketing_insights,
  plain .csv), every figure worked out by hand below;
* the real case-study files (.csv.gz) from $SHARED_DATA_DIR/marketing_insights (default
  <repo>/../shared/data), skipped with the reason when they are absent.

The case study's invoice value of a line is
    ((Quantity x Avg_Price) x (1 - Discount_pct) x (1 + GST)) + Delivery_Charges
where Delivery_Charges is the whole transaction's charge, repeated on each of its lines. The
warehouse bills that charge once per order: `fct_order_lines` shares it over the order's lines
by gross amount, so a line's `line_total` is its goods with tax plus its share, and the
order's `order_total` = sum over its lines of (qty x price x (1 - disc) x (1 + GST)) + the
charge once. Summing the case study's per-line values instead would count the charge once per
line. The tests check the goods part per line and the delivery per order.
"""

import csv
import gzip
import os
import shutil
from pathlib import Path

import pytest

from ecommerce_warehouse import schemas

from dbt_runner import REPO_ROOT, build_warehouse, rows, run_dbt

FIXTURE = REPO_ROOT / "tests" / "python" / "fixtures" / "marketing_insights"
SHARED_DATA = Path(os.environ.get("SHARED_DATA_DIR", REPO_ROOT.parent / "shared" / "data"))
REAL_DATA = SHARED_DATA / "marketing_insights"
TABLES = ["Online_Sales", "CustomersData", "Discount_Coupon", "Marketing_Spend", "Tax_amount"]
VARS = "{source_system: marketing_insights}"

pytestmark = pytest.mark.dbt



def approx(values):
    return pytest.approx(values, abs=1e-9)


# --- the tiny shop ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    path = build_warehouse(FIXTURE, tmp_path_factory.mktemp("mi_tiny"), extra_vars=VARS)
    with schemas.connect(path) as con:
        yield con


def test_fixture_keeps_the_source_quirks():
    header = (FIXTURE / "Discount_Coupon.csv").read_text(encoding="utf-8").splitlines()[0]
    assert header == "Month,Product_Category ,Coupon_Code,Discount_pct"


def test_tiny_raw_rows_equal_clean_plus_quarantined(tiny):
    assert rows(tiny, """
        select source_table, raw_rows, clean_rows, quarantined_rows, is_reconciled
        from row_reconciliation where is_provided_by_source order by 1
    """) == [
        ("coupons", 8, 8, 0, True),
        ("customers", 5, 4, 1, True),
        ("marketing_spend", 6, 4, 2, True),   # 3 days x 2 channels
        ("order_lines", 8, 6, 2, True),
        ("products", 4, 4, 0, True),          # distinct SKUs of the sales lines
        ("shipments", 5, 5, 0, True),         # one per transaction
        ("tax_rates", 4, 4, 0, True),
    ]


def test_tiny_quarantine(tiny):
    assert rows(tiny, """
        select source_table, source_row_number, reason from quarantined_rows order by 1, 2
    """) == [
        ("customers", 5, "duplicate"),
        ("marketing_spend", 5, "invalid_spend_date"),    # raw row 3 (13/1/2019), offline
        ("marketing_spend", 6, "invalid_spend_date"),    # raw row 3, online
        ("order_lines", 7, "invalid_ordered_at"),        # 20190231
        ("order_lines", 8, "invalid_discount_pct"),      # Coupon_Status 'Usd'
    ]
    (record,) = rows(tiny, "select raw_record from quarantined_rows "
                           "where reason = 'invalid_ordered_at'")[0]
    assert '"ordered_at":"20190231"' in record


def test_tiny_line_amounts(tiny):
    # 16679 (Jan, delivery 6.5, gross 20 : 4 : 20): the Used Apparel line gets Jan's SALE10
    # (10 %), the Clicked Office line no discount although OFF10 exists, the Used Backpacks
    # line none (no Backpacks coupon). 16680 (Feb): SALE20. 16681 (Apr, delivery 5, 8 : 8):
    # EXTRA10 of Apr Drinkware; Not Used Office line none. GST: Apparel and Drinkware 18 %,
    # Office and Backpacks 10 %.
    got = rows(tiny, """
        select order_line_id, customer_id, coupon_code, discount_pct, gross_amount,
               net_amount, tax_amount, delivery_charge, line_total
        from fct_order_lines order by 1
    """)
    expected = [
        ("16679-1", "17850", "SALE10/Jan/Apparel", 0.1, 20.0, 18.0, 3.24,
         6.5 * 20 / 44, 18.0 + 3.24 + 6.5 * 20 / 44),
        ("16679-2", "17850", None, 0.0, 4.0, 4.0, 0.4, 6.5 * 4 / 44, 4.4 + 6.5 * 4 / 44),
        ("16679-3", "12583", None, 0.0, 20.0, 20.0, 2.0, 6.5 * 20 / 44, 22.0 + 6.5 * 20 / 44),
        ("16680-1", "13047", "SALE20/Feb/Apparel", 0.2, 30.0, 24.0, 4.32, 0.0, 28.32),
        ("16681-1", "13047", "EXTRA10/Apr/Drinkware", 0.1, 8.0, 7.2, 1.296, 2.5, 10.996),
        ("16681-2", "13047", None, 0.0, 8.0, 8.0, 0.8, 2.5, 11.3),
    ]
    assert [r[:3] for r in got] == [e[:3] for e in expected]
    for got_row, expected_row in zip(got, expected, strict=True):
        assert got_row[3:] == approx(expected_row[3:]), got_row[0]


def test_tiny_orders_bill_delivery_once(tiny):
    # order total = sum of qty x price x (1 - disc) x (1 + GST) + delivery once:
    # 16679: 18 x 1.18 + 4 x 1.1 + 20 x 1.1 + 6.5 = 54.14 (the case study's per-line values
    # 27.74 + 10.9 + 28.5 = 67.14 would bill the 6.5 three times).
    got = rows(tiny, """
        select order_id, customer_id, order_date::varchar, coupon_code, delivery_charge,
               order_total
        from fct_orders order by 1
    """)
    assert [r[:4] for r in got] == [
        ("16679", "17850", "2019-01-15", "SALE10/Jan/Apparel"),  # max of 17850 and 12583
        ("16680", "13047", "2019-02-01", "SALE20/Feb/Apparel"),
        ("16681", "13047", "2019-04-20", "EXTRA10/Apr/Drinkware"),
    ]
    assert [r[4:] for r in got] == [
        approx((6.5, 54.14)), approx((0.0, 28.32)), approx((5.0, 22.296)),
    ]


def test_tiny_coupons_customers_products_spend(tiny):
    assert rows(tiny, """
        select coupon_code, category, discount_pct, valid_from::varchar, valid_to::varchar
        from int_coupons_cleaned order by source_row_number
    """) == [
        ("SALE10/Jan/Apparel", "Apparel", 0.1, "2019-01-01", "2019-01-31"),
        ("SALE20/Feb/Apparel", "Apparel", 0.2, "2019-02-01", "2019-02-28"),
        ("OFF10/Jan/Office", "Office", 0.1, "2019-01-01", "2019-01-31"),
        ("OFF20/Feb/Office", "Office", 0.2, "2019-02-01", "2019-02-28"),
        ("EXTRA10/Jan/Drinkware", "Drinkware", 0.1, "2019-01-01", "2019-01-31"),
        ("EXTRA10/Jan/Lifestyle", "Lifestyle", 0.1, "2019-01-01", "2019-01-31"),
        ("EXTRA10/Apr/Drinkware", "Drinkware", 0.1, "2019-04-01", "2019-04-30"),
        ("SALE10/Apr/Apparel", "Apparel", 0.1, "2019-04-01", "2019-04-30"),
    ]
    # 12583's only line is in 16679, which fct_orders gives to 17850: no order of its own.
    assert rows(tiny, """
        select customer_id, gender, country, city, order_count from dim_customers order by 1
    """) == [
        ("12583", "female", "United States", "New York", 0),
        ("13047", "male", "United States", "California", 2),
        ("13748", "female", "United States", "Washington DC", 0),
        ("17850", "male", "United States", "Chicago", 1),
    ]
    assert rows(tiny, """
        select product_id, product_name, category, tax_rate, units_sold
        from dim_products order by 1
    """) == [
        ("SKU_BAG", "Google Backpack", "Backpacks", 0.1, 1),
        ("SKU_MUG", "Google Mug", "Drinkware", 0.18, 1),
        ("SKU_PEN", "Google Pen", "Office", 0.1, 3),
        ("SKU_TEE", "Google Tee", "Apparel", 0.18, 5),
    ]
    assert rows(tiny, """
        select spend_date::varchar, channel, spend from int_marketing_spend_cleaned order by 1, 2
    """) == [
        ("2019-01-01", "offline", 4500.0), ("2019-01-01", "online", 2424.5),
        ("2019-01-02", "offline", 4500.0), ("2019-01-02", "online", 3480.36),
    ]


def test_both_csv_and_gz_stop_the_build(tmp_path):
    raw = tmp_path / "raw"
    shutil.copytree(FIXTURE, raw)
    with gzip.open(raw / "Tax_amount.csv.gz", "wb") as gz:
        gz.write((raw / "Tax_amount.csv").read_bytes())
    (tmp_path / "build").mkdir()
    result = run_dbt(["build"], raw, tmp_path / "build", VARS)
    assert result.returncode != 0, "the build should have stopped"
    output = result.stdout + result.stderr
    assert (f"{raw / 'Tax_amount.csv*'} matches 2 files, keep one: "
            f"{raw / 'Tax_amount.csv'}, {raw / 'Tax_amount.csv.gz'}") in output


# --- the real case-study files ------------------------------------------------------------


def read_raw(table):
    """The rows of a real raw file as dicts, read with Python's csv (not DuckDB)."""
    with gzip.open(REAL_DATA / f"{table}.csv.gz", "rt", encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


@pytest.fixture(scope="module")
def real_raw():
    missing = [t for t in TABLES if not (REAL_DATA / f"{t}.csv.gz").is_file()]
    if missing:
        pytest.skip(f"case-study files absent from {REAL_DATA} (set SHARED_DATA_DIR): "
                    + ", ".join(f"{t}.csv.gz" for t in missing))
    return {table: read_raw(table) for table in TABLES}


@pytest.fixture(scope="module")
def real(real_raw, tmp_path_factory):
    path = build_warehouse(REAL_DATA, tmp_path_factory.mktemp("mi_real"), extra_vars=VARS)
    with schemas.connect(path) as con:
        yield con


def test_real_raw_files(real_raw):
    assert len(real_raw["Online_Sales"]) == 52_924
    assert len({r["Transaction_ID"] for r in real_raw["Online_Sales"]}) == 25_061
    assert len(real_raw["CustomersData"]) == 1_468
    assert len(real_raw["Marketing_Spend"]) == 365
    assert len({r["Date"] for r in real_raw["Marketing_Spend"]}) == 365
    assert len(real_raw["Discount_Coupon"]) == 204
    assert len(real_raw["Tax_amount"]) == 20


def test_real_raw_rows_equal_clean_plus_quarantined(real):
    assert rows(real, """
        select source_table, raw_rows, clean_rows, quarantined_rows, is_reconciled
        from row_reconciliation where is_provided_by_source order by 1
    """) == [
        ("coupons", 204, 204, 0, True),
        ("customers", 1_468, 1_468, 0, True),
        ("marketing_spend", 730, 730, 0, True),   # 365 days x offline, online
        ("order_lines", 52_924, 52_924, 0, True),
        ("products", 1_145, 1_145, 0, True),
        ("shipments", 25_061, 25_061, 0, True),
        ("tax_rates", 20, 20, 0, True),
    ]
    assert rows(real, "select count(*) from row_reconciliation where not is_reconciled") == [(0,)]


def test_real_marts(real):
    assert rows(real, "select count(*), count(distinct order_id) from fct_order_lines") == [
        (52_924, 25_061)]
    assert rows(real, "select count(*) from fct_orders") == [(25_061,)]
    assert rows(real, "select count(*), count(*) filter (where has_profile) "
                      "from dim_customers") == [(1_468, 1_468)]
    assert rows(real, """
        select count(*), count(distinct spend_date), min(spend_date)::varchar,
               max(spend_date)::varchar
        from int_marketing_spend_cleaned
    """) == [(730, 365, "2019-01-01", "2019-12-31")]
    # 17,904 lines say Used; 126 of them are in categories without coupons (Backpacks, Fun,
    # Google, More Bags) and get no discount.
    assert rows(real, "select count(coupon_code), count(*) filter (where discount_pct > 0) "
                      "from fct_order_lines") == [(17_778, 17_778)]


def test_real_transactions_mixing_customers(real_raw, real):
    customers = {}
    for r in real_raw["Online_Sales"]:
        customers.setdefault(r["Transaction_ID"], set()).add(r["CustomerID"])
    mixed = sum(len(c) > 1 for c in customers.values())
    assert mixed == 1_319
    assert rows(real, """
        select count(*) from (
            select order_id from fct_order_lines group by 1 having count(distinct customer_id) > 1
        )
    """) == [(mixed,)]


def raw_line(real_raw, transaction_id, sku):
    (line,) = [r for r in real_raw["Online_Sales"]
               if r["Transaction_ID"] == transaction_id and r["Product_SKU"] == sku]
    return line


# Lines worked out by hand from the raw values (asserted against the file first):
# (transaction, SKU, date, category, qty, Avg_Price, delivery, status, coupon, Discount_pct, GST)
HAND_LINES = [
    # The file's first line: Jan, Nest-USA, Used -> ELEC10 (10 %), GST 10 %.
    ("16679", "GGOENEBJ079499", "20190101", "Nest-USA", "1", "153.71", "6.5", "Used",
     "ELEC10", 10, 0.1),
    # Jul, Housewares, Clicked -> no discount (HOU10 exists), GST 12 %.
    ("33043", "GGOEGCBQ016499", "20190718", "Housewares", "1", "1.4", "12.99", "Clicked",
     None, 0, 0.12),
    # Jul, Lifestyle, Used -> EXTRA10 (10 %), GST 18 %.
    ("33043", "GGOEGPJC203399", "20190718", "Lifestyle", "1", "2.79", "12.99", "Used",
     "EXTRA10", 10, 0.18),
    # Jul, Apparel, Used -> SALE10 (10 %), GST 18 %.
    ("33043", "GGOEYAYR068624", "20190718", "Apparel", "1", "15.19", "12.99", "Used",
     "SALE10", 10, 0.18),
    # Feb, Backpacks, Used -> no Backpacks coupon: no discount, GST 10 %.
    ("19478", "GGOEGBRD079699", "20190202", "Backpacks", "1", "99.99", "6.5", "Used",
     None, 0, 0.1),
]
# Goods with tax, by hand: 153.71 x 0.9 x 1.1 = 152.1729; 1.4 x 1.12 = 1.568;
# 2.79 x 0.9 x 1.18 = 2.96298; 15.19 x 0.9 x 1.18 = 16.13178; 99.99 x 1.1 = 109.989.
HAND_GOODS_WITH_TAX = [152.1729, 1.568, 2.96298, 16.13178, 109.989]
# The case study's per-line invoice value adds the transaction's whole delivery charge.
HAND_CASE_STUDY_LINE_VALUE = [158.6729, 14.558, 15.95298, 29.12178, 116.489]


def test_real_lines_worked_by_hand(real_raw, real):
    coupons = {(r["Month"], r["Product_Category "]): r for r in real_raw["Discount_Coupon"]}
    gst = {r["Product_Category"]: r["GST"] for r in real_raw["Tax_amount"]}
    for (txn, sku, date, category, qty, price, delivery, status, code, pct, rate), goods, \
            case_study in zip(HAND_LINES, HAND_GOODS_WITH_TAX, HAND_CASE_STUDY_LINE_VALUE,
                              strict=True):
        raw = raw_line(real_raw, txn, sku)
        assert (raw["Transaction_Date"], raw["Product_Category"], raw["Quantity"],
                raw["Avg_Price"], raw["Delivery_Charges"], raw["Coupon_Status"]) == \
            (date, category, qty, price, delivery, status), (txn, sku)
        assert float(gst[category]) == rate
        month = {"201901": "Jan", "201902": "Feb", "201907": "Jul"}[date[:6]]
        coupon = coupons.get((month, category))
        if code:
            assert (coupon["Coupon_Code"], int(coupon["Discount_pct"])) == (code, pct)
        assert goods == pytest.approx(
            int(qty) * float(price) * (1 - pct / 100) * (1 + rate), abs=1e-9)
        assert case_study == pytest.approx(goods + float(delivery), abs=1e-9)

        ((discount_pct, coupon_code, net, tax),) = rows(real, f"""
            select discount_pct, coupon_code, net_amount, tax_amount from fct_order_lines
            where order_id = '{txn}' and product_id = '{sku}'
        """)
        assert discount_pct == pytest.approx(pct / 100)
        assert coupon_code == (f"{code}/{month}/{category}" if code else None)
        assert net + tax == pytest.approx(goods, abs=1e-9), (txn, sku)


def test_real_orders_worked_by_hand(real):
    # 16679 is a one-line transaction: 152.1729 + 6.5. 33043 has exactly the three lines
    # above: 1.568 + 2.96298 + 16.13178 + 12.99 once = 33.65276 (the case study's per-line
    # values add up to 59.63276, the charge counted three times).
    assert rows(real, "select line_count from fct_orders where order_id in ('16679', '33043') "
                      "order by order_id") == [(1,), (3,)]
    got = rows(real, """
        select order_id, delivery_charge, order_total from fct_orders
        where order_id in ('16679', '33043') order by 1
    """)
    assert got[0][0] == "16679" and got[0][1:] == approx((6.5, 158.6729))
    assert got[1][0] == "33043" and got[1][1:] == approx((12.99, 33.65276))
