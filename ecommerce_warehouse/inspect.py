"""Look at a folder of shop exports and say how to build a warehouse from it.

    python -m ecommerce_warehouse.inspect DIR [--mapping-out FILE]

Each file (CSV, CSV.gz, TSV, TXT, Parquet, .xlsx when DuckDB's excel extension loads) is read
with DuckDB's CSV sniffer and recognised by its header: the built-in source adapters' layouts
(Online Retail I / II, Olist, the marketing case study, CDNOW, the demo shop) and the shipped
mappings' (Shopify and WooCommerce order exports). For each file it prints the layout, rows,
date range and currencies (where a column names them), then the command that builds the shop.
An unknown layout gets a starting mapping file (docs/source_mapping.md) in which every mapped
column is marked `# guess:` with the reason, and the columns it could not map are listed.
"""

import argparse
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from .mapping_guess import TIMESTAMP_FORMATS, guess_mapping, write_mapping
from .paths import excel_extension

ENDINGS = (".csv", ".csv.gz", ".tsv", ".tsv.gz", ".txt", ".txt.gz", ".parquet", ".xlsx")


@dataclass(frozen=True)
class Layout:
    """A known export layout: the headers that recognise it, and where its dates and currency
    are."""

    name: str                 # what the user knows it as
    source: str               # source_system, or "mapped:<shipped mapping>"
    headers: frozenset        # header names a file of this layout has (case-insensitive)
    date_column: str | None = None
    currency_column: str | None = None
    date_formats: tuple = ()  # the layout's own (e.g. month-first dates); else TIMESTAMP_FORMATS


def _layout(name, source, headers, date_column=None, currency_column=None, date_formats=()):
    return Layout(name, source, frozenset(h.lower() for h in headers), date_column,
                  currency_column, tuple(date_formats))


# Headers from each adapter's _<source>__sources.yml and the fixtures in tests/python/fixtures;
# Shopify's and WooCommerce's from their documented exports (docs/source_mapping.md).
LAYOUTS = [
    _layout("Shopify orders export", "mapped:shopify",
            ["Name", "Email", "Financial Status", "Created at", "Lineitem quantity",
             "Lineitem price", "Lineitem name"], "Created at", "Currency"),
    _layout("WooCommerce orders export", "mapped:woocommerce",
            ["order_date", "status", "billing_email", "item_quantity"], "order_date",
            "order_currency"),
    _layout("Online Retail I (UCI / Kaggle)", "online_retail",
            ["InvoiceNo", "StockCode", "Quantity", "InvoiceDate", "UnitPrice", "CustomerID"],
            "InvoiceDate", date_formats=["%m/%d/%Y %H:%M"]),
    _layout("Online Retail II", "online_retail",
            ["Invoice", "StockCode", "Quantity", "InvoiceDate", "Price", "Customer ID"],
            "InvoiceDate"),
    _layout("Olist orders", "olist", ["order_id", "customer_id", "order_status",
                                      "order_purchase_timestamp"], "order_purchase_timestamp"),
    _layout("Olist order items", "olist", ["order_id", "order_item_id", "product_id",
                                           "seller_id", "price", "freight_value"],
            "shipping_limit_date"),
    _layout("Olist order payments", "olist", ["order_id", "payment_sequential", "payment_type",
                                              "payment_value"]),
    _layout("Olist order reviews", "olist", ["review_id", "order_id", "review_score"],
            "review_creation_date"),
    _layout("Olist customers", "olist", ["customer_id", "customer_unique_id",
                                         "customer_zip_code_prefix"]),
    _layout("Olist products", "olist", ["product_id", "product_category_name",
                                        "product_weight_g"]),
    _layout("Olist sellers", "olist", ["seller_id", "seller_zip_code_prefix"]),
    _layout("Olist category names", "olist", ["product_category_name",
                                              "product_category_name_english"]),
    _layout("marketing case study: Online_Sales", "marketing_insights",
            ["CustomerID", "Transaction_ID", "Transaction_Date", "Product_SKU", "Quantity",
             "Avg_Price", "Delivery_Charges", "Coupon_Status"], "Transaction_Date"),
    _layout("marketing case study: CustomersData", "marketing_insights",
            ["CustomerID", "Gender", "Location", "Tenure_Months"]),
    _layout("marketing case study: Discount_Coupon", "marketing_insights",
            ["Month", "Product_Category", "Coupon_Code", "Discount_pct"]),
    _layout("marketing case study: Marketing_Spend", "marketing_insights",
            ["Date", "Offline_Spend", "Online_Spend"], "Date"),
    _layout("marketing case study: Tax_amount", "marketing_insights",
            ["Product_Category", "GST"]),
    _layout("demo shop order lines", "demo",
            ["order_id", "line_number", "ordered_at", "customer_id", "product_id", "quantity",
             "unit_price", "return_of_order_id"], "ordered_at"),
    *(_layout(f"demo shop {name}", "demo", headers.split(","), date_column)
      for name, headers, date_column in [
          ("customers", "customer_id,signup_date,gender,country,city", "signup_date"),
          ("products", "product_id,product_name,category,list_price", None),
          ("tax rates", "category,tax_rate", None),
          ("coupons", "coupon_code,category,discount_pct,valid_from,valid_to", None),
          ("shipments", "order_id,delivery_charge,promised_delivery_date,delivered_date", None),
          ("reviews", "review_id,order_id,rating,reviewed_at", "reviewed_at"),
          ("web events", "event_id,session_id,event_at,customer_id,event_type", "event_at"),
          ("marketing spend", "spend_date,channel,spend", "spend_date"),
          ("retention offers", "customer_id,offered_date,experiment_group", "offered_date")]),
]
CDNOW = Layout("CDNOW transactions", "cdnow", frozenset())
CDNOW_HEADER = ["customer_id", "date", "number_of_cds", "dollar_value"]


@dataclass
class FileReport:
    """What inspecting one file found: layout, rows, date range, currencies, or why it could not be
    read."""

    path: Path
    layout: Layout | None = None
    rows: int = 0
    date_range: tuple | None = None
    currencies: list = field(default_factory=list)
    problem: str | None = None      # could not be read
    table: str | None = None        # DuckDB view over the file (all columns as text)
    columns: list = field(default_factory=list)
    dialect: dict = field(default_factory=dict)


def _quote(name):
    return '"' + name.replace('"', '""') + '"'


def _sql_text(text):
    return "'" + str(text).replace("'", "''") + "'"


def export_files(folder: Path):
    """The export files under folder by file ending, sorted; hidden files and _truth/ left out."""
    return sorted(p for p in folder.rglob("*") if p.is_file() and not p.name.startswith(".")
                  and p.name.lower().endswith(ENDINGS) and "_truth" not in p.parts)


def _open(con, report: FileReport, view: str):
    """Create `view` over the file (all columns as text); fills columns and dialect."""
    path, lower = report.path, report.path.name.lower()
    if lower.endswith(".parquet"):
        con.execute(f"create view {view} as select * from read_parquet({_sql_text(path)})")
    elif lower.endswith(".xlsx"):
        extension = excel_extension()
        if not extension:
            raise ValueError("cannot read .xlsx: the duckdb-extension-excel wheel is not "
                             "installed (make venv), or export the sheet to CSV")
        con.execute(f"load {_sql_text(extension)}")
        con.execute(f"create view {view} as select * from read_xlsx({_sql_text(path)}, "
                    "all_varchar = true)")
    else:
        for encoding in ("utf-8", "latin-1"):
            try:
                sniff = con.execute(f"select Delimiter, Quote, HasHeader from sniff_csv("
                                    f"{_sql_text(path)}, encoding = '{encoding}')").fetchone()
                break
            except duckdb.Error as e:
                if encoding == "latin-1" or "unicode" not in str(e).lower():
                    raise ValueError(f"cannot read it as CSV: {str(e).splitlines()[0]}") from None
        delim, quote, has_header = sniff
        quote = '"' if quote in (None, "", "(empty)") else quote
        report.dialect = dict(delimiter=delim, quote=quote, encoding=encoding)
        con.execute(f"create view {view} as select * from read_csv({_sql_text(path)}, "
                    f"delim = {_sql_text(delim)}, quote = {_sql_text(quote)}, "
                    f"header = {str(bool(has_header)).lower()}, all_varchar = true, "
                    f"encoding = '{encoding}')")
    report.table = view
    report.columns = [r[0] for r in con.execute(f"describe {view}").fetchall()]


def _cdnow_rows(con, path):
    """CDNOW's whitespace-separated text: rows and date range, or None if it is not CDNOW."""
    lines = f"""select string_split(trim(regexp_replace(line, '\\s+', ' ', 'g')), ' ') as f
                from read_csv({_sql_text(path)}, columns = {{'line': 'varchar'}}, header = false,
                              delim = '\\x01', quote = '')"""
    first = con.execute(f"select f from ({lines}) limit 1").fetchone()
    numbers_only = first and len(first[0]) in (4, 5) and all(re.fullmatch(r"[\d.]+", x)
                                                              for x in first[0])
    if not first or (first[0] != CDNOW_HEADER and not numbers_only):   # the sample has no header
        return None
    rows, lo, hi = con.execute(f"""
        select count(*), min(try_strptime(f[-3], '%Y%m%d')), max(try_strptime(f[-3], '%Y%m%d'))
        from ({lines}) where f[1] <> 'customer_id'""").fetchone()
    return rows, (lo, hi)


def recognise(layouts, columns):
    """The layout whose headers the file has (the most specific one when several fit)."""
    have = {c.strip().lstrip("\ufeff").lower() for c in columns}
    fits = [lay for lay in layouts if lay.headers <= have]
    return max(fits, key=lambda lay: len(lay.headers), default=None)


def _parse_range(con, view, column, formats):
    casts = ", ".join(f"try_strptime(trim({_quote(column)}), {_sql_text(f)})" for f in formats)
    return con.execute(f"select min(coalesce({casts})), max(coalesce({casts})) "
                       f"from {view}").fetchone()


def inspect_file(con, path: Path, view: str) -> FileReport:
    """The report of one file, read through the DuckDB view `view`: layout, rows, date range and
    currencies."""
    report = FileReport(path)
    if path.name.lower().startswith("cdnow") and ".txt" in path.name.lower():
        found = _cdnow_rows(con, path)
        if found:
            report.layout, (report.rows, report.date_range) = CDNOW, found
            return report
    try:
        _open(con, report, view)
    except (ValueError, duckdb.Error) as e:
        report.problem = str(e).splitlines()[0]
        return report
    report.layout = recognise(LAYOUTS, report.columns)
    report.rows = con.execute(f"select count(*) from {view}").fetchone()[0]
    by_lower = {c.strip().lstrip("\ufeff").lower(): c for c in report.columns}
    if report.layout and report.layout.date_column:
        column = by_lower.get(report.layout.date_column.lower())
        if column:
            report.date_range = _parse_range(con, view, column,
                                             report.layout.date_formats or TIMESTAMP_FORMATS)
    if report.layout and report.layout.currency_column:
        column = by_lower.get(report.layout.currency_column.lower())
        if column:
            report.currencies = [r[0] for r in con.execute(
                f"select distinct trim({_quote(column)}) as c from {view} "
                "where trim(c) <> '' order by c").fetchall()]
    return report


def build_command(source: str, folder: Path, mapping: str | None = None) -> str:
    """The command that builds the warehouse from folder with this source (or mapping)."""
    if source.startswith("mapped:") or mapping:
        return f"make run RAW_DATA_PATH={folder} SOURCE_MAPPING={mapping or source[7:]}"
    return (f"DBT_DUCKDB_PATH={source}.duckdb .venv/bin/dbt build --profiles-dir profiles "
            f"--vars '{{source_system: {source}, raw_data_path: {folder}}}'")


def _describe(report: FileReport, folder: Path) -> str:
    name = report.path.relative_to(folder)
    if report.problem:
        return f"{name}: not read ({report.problem})"
    parts = [report.layout.name if report.layout else "unknown layout", f"{report.rows:,} rows"]
    if report.date_range and report.date_range[0]:
        lo, hi = report.date_range
        parts.append(f"{lo:%Y-%m-%d} .. {hi:%Y-%m-%d}")
    if report.currencies:
        parts.append("currencies " + ", ".join(report.currencies))
    return f"{name}: " + ", ".join(parts)


def inspect_folder(folder: Path, mapping_out: Path | None = None, out=sys.stdout):
    """Print what is in the folder; returns the file reports and the written mapping (or None)."""
    folder = folder.resolve()
    files = export_files(folder)
    if not files:
        raise SystemExit(f"{folder}: no export files ({', '.join(ENDINGS)})")
    con = duckdb.connect()
    reports = [inspect_file(con, p, f"file_{i}") for i, p in enumerate(files)]
    for r in reports:
        print(_describe(r, folder), file=out)

    sources = sorted({r.layout.source for r in reports if r.layout})
    for source in sources:
        name = source.removeprefix('mapped:')
        currencies = sorted({c for r in reports if r.layout and r.layout.source == source
                             for c in r.currencies})
        if source.startswith("mapped:") and len(currencies) > 1:
            # the build stops on a currency without a rate: say so before it does
            print(f"several currencies ({', '.join(currencies)}): copy mappings/{name}.yml, set "
                  "its currency and currency_rates (e.g. {EUR: 1.10}) and build with "
                  "SOURCE_MAPPING=<your copy>", file=out)
        print(f"build ({name}): {build_command(source, folder)}", file=out)
    unknown = [r for r in reports if not r.layout and not r.problem]
    written = None
    if unknown and not sources:
        guess = max((guess_mapping(con, r) for r in unknown), key=lambda g: g.score)
        target = mapping_out or Path.cwd() / f"{folder.name}_mapping.yml"
        if target.exists():
            print(f"{target}: exists, not overwritten (--mapping-out another file)", file=out)
        else:
            write_mapping(guess, folder, target)
            written = target
            print(f"wrote {target}: a starting mapping for "
                  f"{guess.report.path.relative_to(folder)}; check every '# guess:'", file=out)
        if guess.missing_required:
            print("could not map (required): " + ", ".join(guess.missing_required), file=out)
        if guess.unused:
            print("columns not mapped: " + ", ".join(guess.unused), file=out)
        print(f"build: {build_command('mapped', folder, str(target))}", file=out)
    elif unknown:
        print("not recognised (map by hand if needed): "
              + ", ".join(str(r.path.relative_to(folder)) for r in unknown), file=out)
    return reports, written


def main(argv=None):
    """Inspect a folder of exports and print the report; for an unknown layout, write a starting
    mapping."""
    parser = argparse.ArgumentParser(prog="python -m ecommerce_warehouse.inspect",
                                     description=__doc__.split("\n\n")[0])
    parser.add_argument("folder", type=Path, help="the folder of exports")
    parser.add_argument("--mapping-out", type=Path,
                        help="where to write the starting mapping for an unknown layout "
                             "(default ./<folder name>_mapping.yml)")
    args = parser.parse_args(argv)
    if not args.folder.is_dir():
        raise SystemExit(f"{args.folder}: not a folder")
    inspect_folder(args.folder, args.mapping_out)


if __name__ == "__main__":
    main()
