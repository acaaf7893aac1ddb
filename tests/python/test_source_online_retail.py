"""Source adapter `online_retail` (UCI Online Retail, its re-exports, Online Retail II).

* Two hand-made shops in the source's layouts, every expected value worked out by hand
  (tests/python/fixtures/online_retail, see its README): Kaggle's `data.csv` (ISO-8859-1,
  `12/1/2010 8:26` dates) and Online Retail II (two files, `Invoice` / `Price` /
  `Customer ID`, `13085.0` ids, UTF-8 with a byte-order mark on one file).
* The real file (SHARED_DATA_DIR/online_retail, skipped when absent): the published analysis
  figures are checked on the raw file, then the warehouse must give the same figures minus
  what the contract quarantines (copied lines and the two +/-80,995 and +/-74,215 outliers),
  with the expected values computed independently with plain DuckDB over the raw CSV.
"""

import os
import time
from pathlib import Path

import duckdb
import pytest

from ecommerce_warehouse import schemas

from dbt_runner import REPO_ROOT, build_warehouse, rows, run_dbt

FIXTURES = REPO_ROOT / "tests" / "python" / "fixtures" / "online_retail"
SHARED_DATA_DIR = Path(os.environ.get("SHARED_DATA_DIR", REPO_ROOT.parent / "shared" / "data"))
REAL_DIR = SHARED_DATA_DIR / "online_retail"
REAL_FILE = REAL_DIR / "online-retail-by-day.csv.gz"
VARS = "{source_system: online_retail}"
pytestmark = pytest.mark.dbt

# The usual analysis rules, on the warehouse's order lines.
ANALYSED = """
    from fct_order_lines
    where customer_id is not null and not starts_with(order_id, 'C')
        and quantity > 0 and unit_price > 0
"""
FIGURES = f"""
    select count(*), count(distinct order_id), count(distinct customer_id),
        round(sum(quantity * unit_price), 2)
    {ANALYSED}
"""



def warehouse_of(raw_dir, tmp_path_factory, name):
    path = build_warehouse(raw_dir, tmp_path_factory.mktemp(name), extra_vars=VARS)
    return schemas.connect(path)


# --- Kaggle's data.csv: ISO-8859-1, month-first dates, integer customer ids ---------------

@pytest.fixture(scope="module")
def kaggle(tmp_path_factory):
    with warehouse_of(FIXTURES / "kaggle", tmp_path_factory, "or_kaggle") as con:
        yield con


def test_kaggle_quarantine(kaggle):
    # Row 7 copies row 6; row 8 has price 0; row 10's `31/12/2010` is not month-first.
    assert rows(kaggle, """
        select source_table, source_row_number, reason from quarantined_rows order by 1, 2
    """) == [
        ("order_lines", 7, "duplicate"),
        ("order_lines", 8, "non_positive_price"),
        ("order_lines", 10, "invalid_ordered_at"),
    ]
    (record,) = rows(kaggle, "select raw_record from quarantined_rows"
                             " where source_row_number = 10")[0]
    assert '"ordered_at":"31/12/2010 9:00"' in record
    assert rows(kaggle, """
        select source_table, raw_rows, clean_rows, quarantined_rows
        from row_reconciliation where raw_rows > 0 order by 1
    """) == [("customers", 2, 2, 0), ("order_lines", 10, 7, 3), ("products", 4, 4, 0)]


def test_kaggle_lines(kaggle):
    got = rows(kaggle, """
        select order_line_id, customer_id, product_id, strftime(ordered_at, '%Y-%m-%d %H:%M'),
            quantity, gross_amount, is_return, is_guest
        from fct_order_lines order by order_line_id
    """)
    expected = [
        ("536365-1", "17850", "85123A", "2010-12-01 08:26", 6, 15.30, False, False),
        ("536365-2", "17850", "22423", "2010-12-01 08:26", 2, 25.50, False, False),
        ("536365-3", "17850", "POST", "2010-12-01 08:26", 1, 18.00, False, False),
        ("536366-1", None, "22423", "2010-12-01 08:28", 1, 12.75, False, True),
        ("536367-1", "13047", "gift_0001_20", "2010-12-01 08:34", 1, 17.02, False, False),
        ("536367-2", "13047", "22423", "2010-12-01 08:34", 1, 12.75, False, False),
        ("C536369-1", "17850", "85123A", "2011-12-09 12:50", -2, -5.10, True, False),
    ]
    assert [r[:5] + r[6:] for r in got] == [e[:5] + e[6:] for e in expected]
    assert [r[5] for r in got] == pytest.approx([e[5] for e in expected], abs=1e-9)


def test_kaggle_products_and_customers(kaggle):
    # 22423: 'REGENCY CAKESTAND 3 TIER' on 3 lines beats 'CAKESTAND, REGENCY' on 1;
    # 85123A: WHITE and CREAM on 2 lines each, WHITE was seen first. The pound sign is
    # byte 0xA3 in the file (ISO-8859-1).
    assert rows(kaggle, "select product_id, product_name from dim_products order by 1") == [
        ("22423", "REGENCY CAKESTAND 3 TIER"),
        ("85123A", "WHITE HANGING HEART T-LIGHT HOLDER"),
        ("POST", "POSTAGE"),
        ("gift_0001_20", "Dotcomgiftshop Gift Voucher \u00a320.00"),
    ]
    # 17850: invoice 536365 (536370 has an unreadable date) and the cancellation C536369;
    # 13047: invoice 536367 (536368 has price 0).
    assert rows(kaggle, """
        select customer_id, country, order_count, return_count from dim_customers order by 1
    """) == [("13047", "France", 1, 0), ("17850", "United Kingdom", 1, 1)]


def test_kaggle_figures(kaggle):
    # Lines 536365-1..3 and 536367-1..2: 15.30 + 25.50 + 18.00 + 17.02 + 12.75.
    assert rows(kaggle, FIGURES) == [(5, 2, 2, 88.57)]
    # Without the non-merchandise codes (POST, gift_0001_20): 15.30 + 25.50 + 12.75.
    assert rows(kaggle, f"""
        select count(*), round(sum(quantity * unit_price), 2)
        {ANALYSED} and is_merchandise
    """) == [(3, 53.55)]


# --- Online Retail II: two files, other column names, float customer ids, BOM -------------

@pytest.fixture(scope="module")
def retail_ii(tmp_path_factory):
    with warehouse_of(FIXTURES / "online_retail_ii", tmp_path_factory, "or_ii") as con:
        yield con


def test_retail_ii_reads_both_files_in_name_order(retail_ii):
    assert rows(retail_ii, """
        select parse_filename(source_file), min(source_row_number), max(source_row_number)
        from base_online_retail__invoice_lines group by 1 order by 1
    """) == [("online_retail_II_2009-2010.csv", 1, 5), ("online_retail_II_2010-2011.csv", 6, 9)]


def test_retail_ii_quarantine(retail_ii):
    # Row 6 (second file) repeats row 5 (first file); row 8 orders 80,995 units.
    assert rows(retail_ii, """
        select source_table, source_row_number, reason from quarantined_rows order by 1, 2
    """) == [("order_lines", 6, "duplicate"), ("order_lines", 8, "outlier_quantity")]
    assert rows(retail_ii, """
        select source_table, raw_rows, clean_rows, quarantined_rows
        from row_reconciliation where raw_rows > 0 order by 1
    """) == [("customers", 4, 4, 0), ("order_lines", 9, 7, 2), ("products", 8, 8, 0)]


def test_retail_ii_lines(retail_ii):
    # Invoice 536365's lines are numbered in file order over both files: 1 (first file),
    # 2 (its copy in the second file, quarantined), 3.
    got = rows(retail_ii, """
        select order_line_id, customer_id, product_id, strftime(ordered_at, '%Y-%m-%d %H:%M:%S'),
            quantity, gross_amount, is_return
        from fct_order_lines order by order_line_id
    """)
    expected = [
        ("489434-1", "13085", "85048", "2009-12-01 07:45:00", 12, 83.40, False),
        ("489434-2", "13085", "79323P", "2009-12-01 07:45:00", 12, 81.00, False),
        ("489450-1", None, "DOT", "2009-12-01 10:40:00", 1, 9.95, False),
        ("536365-1", "17850", "85123A", "2010-12-01 08:26:00", 6, 15.30, False),
        ("536365-3", "17850", "71053", "2010-12-01 08:26:00", 6, 20.34, False),
        ("581484-1", "13085", "gift_0001_10", "2011-12-09 10:00:00", 1, 8.33, False),
        ("C489449-1", "16321", "22087", "2009-12-01 10:33:00", -12, -35.40, True),
    ]
    assert [r[:5] + r[6:] for r in got] == [e[:5] + e[6:] for e in expected]
    assert [r[5] for r in got] == pytest.approx([e[5] for e in expected], abs=1e-9)


def test_retail_ii_products_and_customers(retail_ii):
    assert rows(retail_ii, """
        select product_name from dim_products where product_id = 'gift_0001_10'
    """) == [("Dotcomgiftshop Gift Voucher \u00a310.00",)]
    assert rows(retail_ii, "select count(*) from dim_products") == [(8,)]
    # 16446 only has the quarantined outlier line, 16321 only a cancellation.
    assert rows(retail_ii, """
        select customer_id, country, order_count, return_count from dim_customers order by 1
    """) == [
        ("13085", "United Kingdom", 2, 0),
        ("16321", "Australia", 0, 1),
        ("16446", "United Kingdom", 0, 0),
        ("17850", "United Kingdom", 1, 0),
    ]


def test_retail_ii_figures(retail_ii):
    # 489434-1, 489434-2, 536365-1, 536365-3, 581484-1: 83.40 + 81.00 + 15.30 + 20.34 + 8.33.
    assert rows(retail_ii, FIGURES) == [(5, 3, 2, 208.37)]


def test_header_without_an_invoice_column_is_named(tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    text = (FIXTURES / "kaggle" / "data.csv").read_bytes()
    (raw / "data.csv").write_bytes(text.replace(b"InvoiceNo,", b"Invoice Number,", 1))
    result = run_dbt(["compile", "--select", "base_online_retail__invoice_lines"], raw,
                     tmp_path / "build", VARS)
    assert result.returncode != 0
    assert "have no column InvoiceNo or Invoice (header has: Invoice Number, StockCode," in (
        result.stdout + result.stderr)


# --- The real file ---------------------------------------------------------------------------

@pytest.fixture(scope="module")
def raw_lines():
    if not REAL_FILE.exists():
        pytest.skip(f"{REAL_FILE} not found (set SHARED_DATA_DIR to the folder holding "
                    "online_retail/online-retail-by-day.csv.gz)")
    con = duckdb.connect()
    con.sql(f"""
        create table raw_lines as
        select * from read_csv('{REAL_FILE}', header = true, all_varchar = true)
    """)
    con.sql("""
        create view analysed as
        select * from raw_lines
        where CustomerID is not null and InvoiceNo not like 'C%'
            and cast(Quantity as integer) > 0 and cast(UnitPrice as double) > 0
    """)
    yield con
    con.close()


def raw_figures(con, relation):
    return con.sql(f"""
        select count(*), count(distinct InvoiceNo), count(distinct CustomerID),
            round(sum(cast(Quantity as integer) * cast(UnitPrice as double)), 2)
        from {relation}
    """).fetchone()


@pytest.fixture(scope="module")
def real(raw_lines, tmp_path_factory):
    started = time.monotonic()
    con = warehouse_of(REAL_DIR, tmp_path_factory, "or_real")
    print(f"\nonline_retail: dbt build of the real file took {time.monotonic() - started:.0f} s")
    with con:
        yield con


def test_real_raw_file_gives_the_published_figures(raw_lines):
    assert raw_lines.sql("select count(*) from raw_lines").fetchone() == (541_909,)
    assert raw_figures(raw_lines, "analysed") == (397_884, 18_532, 4_338, 8_911_407.90)
    # The usual de-duplication (pandas drop_duplicates over all eight columns).
    assert raw_figures(raw_lines, "(select distinct * from analysed)") == (
        392_692, 18_532, 4_338, 8_887_208.89)


def test_real_warehouse_gives_the_deduplicated_figures(raw_lines, real):
    # The contract compares order lines on its own columns, so two lines that differ only in
    # their description wording are copies too (392,690); and it quarantines the two
    # +80,995 / +74,215 unit lines (cancelled right after) as outliers: |quantity| > 10,000.
    expected = raw_figures(raw_lines, """(
        select distinct InvoiceNo, StockCode, Quantity, InvoiceDate, UnitPrice, CustomerID
        from analysed
        where abs(cast(Quantity as integer)) <= 10000
    )""")
    assert expected == (392_688, 18_530, 4_337, 8_641_003.84)
    assert rows(real, FIGURES) == [expected]


def test_real_quarantine_explains_the_difference(real):
    # Published lines (397,884) = the warehouse's (392,688) + the quarantined lines that
    # the analysis rules would have kept.
    quarantined = dict(rows(real, """
        select reason, count(*)
        from quarantined_rows
        where source_table = 'order_lines'
            and json_extract_string(raw_record, '$.customer_id') is not null
            and not starts_with(json_extract_string(raw_record, '$.order_id'), 'C')
            and cast(json_extract_string(raw_record, '$.quantity') as integer) > 0
            and cast(json_extract_string(raw_record, '$.unit_price') as double) > 0
        group by reason
    """))
    assert quarantined["outlier_quantity"] == 2
    assert sum(quarantined.values()) == 397_884 - 392_688


def test_real_rows_reconcile(raw_lines, real):
    customers, products = raw_lines.sql("""
        select count(distinct CustomerID), count(distinct StockCode) from raw_lines
    """).fetchone()
    got = {table: (raw, clean, quarantined) for table, raw, clean, quarantined in rows(real, """
        select source_table, raw_rows, clean_rows, quarantined_rows
        from row_reconciliation where raw_rows > 0
    """)}
    assert set(got) == {"order_lines", "customers", "products"}
    assert got["order_lines"][0] == 541_909
    assert got["customers"][0] == customers == 4_372
    assert got["products"][0] == products == 4_070
    for raw, clean, quarantined in got.values():
        assert raw == clean + quarantined


def test_real_cancellations_are_the_returns(real):
    assert rows(real, """
        select count(*) from fct_order_lines where is_return != starts_with(order_id, 'C')
    """) == [(0,)]
    assert rows(real, "select count(*) from fct_order_lines where is_return") != [(0,)]


def test_real_non_merchandise_codes_are_all_listed(real):
    # Every stock code outside the NNNNN[letters] pattern is a service code, except the
    # DCGS... goods of the dotcom gift shop.
    assert rows(real, """
        select product_id from dim_products
        where not regexp_matches(product_id, '^[0-9]{5}[A-Za-z]*$')
            and not starts_with(product_id, 'DCGS')
        except
        select product_id from non_merchandise_stock_codes where source_system = 'online_retail'
    """) == []


def test_real_bgnbd_is_fitted_for_every_customer(real):
    # One year of data and wholesale regulars: the holdout window's BG/NBD optimum lies on the
    # edge (drop-out probability a / (a + b) -> 0), where BFGS cannot reach lifetimes' default
    # tolerance; the fit must still be made (looser tolerance, recorded), not skipped.
    assert rows(real, "select count(*) from model_metrics where skip_reason is not null") \
        == [(0,)]
    fits = {purpose: (tolerance, a / (a + b)) for purpose, tolerance, a, b in rows(real, """
        select fit_purpose, bgnbd_tolerance, bgnbd_a, bgnbd_b from clv_model_parameters""")}
    assert fits["holdout"][0] > 1e-7 and fits["holdout"][1] < 0.001
    assert rows(real, "select count(*) from clv_bgnbd") \
        == rows(real, "select count(*) from customer_features")
