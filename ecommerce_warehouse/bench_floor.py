"""The plain-DuckDB floor of the benchmark: the headline figures straight from the raw files.

    python -m ecommerce_warehouse.bench_floor RAW_DIR [--source demo|online_retail]
                                              [--warehouse FILE]

One DuckDB script, no dbt, computes from the raw order lines the warehouse's build reads the
three figure families of issue 17, so that a build's wall time can be read as a multiple of
the least work those figures need:

* monthly KPIs (`floor_kpi_monthly`, as the mart `kpi_monthly`): gross revenue, returns,
  net revenue, orders, items, quantity and customers per month;
* cohort retention (`floor_cohort_retention`, as `cohort_retention`): customers of each
  first-purchase month active N months later, and their share of the cohort;
* RFM quintiles (`floor_customer_rfm`, as `customer_rfm`): recency, frequency and monetary
  scores 1-5 per customer.

The floor applies the canonical contract's rules for order lines (macros/contract/:
canonical_entities.sql and validate_entity.sql) so that its figures are the warehouse's: texts
trimmed, required fields present and readable, no zero or outlier quantity, no non-positive price,
no discount outside 0-1, no copied row, one row per (order, line). It only skips what the figures do
not need: the quarantine's reasons and raw records, the other entities, and the months (or cohort
months) without any order, which the marts list with zeros. Returns are the lines of negative
quantity (Online Retail's `C` invoices): they count in net revenue only, as in the marts.
"""

from __future__ import annotations

import argparse
import json
import os
import time
from pathlib import Path

import duckdb

from ecommerce_warehouse.schemas import aggregate_row

MAX_LINE_QUANTITY = 10_000                            # dbt_project.yml: max_line_quantity
TIMESTAMP_FORMATS = ["%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d"]   # timestamp_formats
ONLINE_RETAIL_TIMESTAMP_FORMATS = ["%m/%d/%Y %H:%M", "%m/%d/%Y %H:%M:%S"]
TEXT_COLUMNS = ("order_id", "line_number", "ordered_at", "customer_id", "product_id",
                "quantity", "unit_price", "discount_pct", "coupon_code", "return_of_order_id")
TABLES = ("floor_kpi_monthly", "floor_cohort_retention", "floor_customer_rfm")

# The raw order lines as text in the contract's column names, numbered in file order.
DEMO_RAW = """
select {columns}, row_number() over () as source_row_number
from {reader}
"""
# Online Retail as its staging model renames it (base_online_retail__invoice_lines).
ONLINE_RETAIL_RAW = """
with numbered as (
    select *, row_number() over () as source_row_number
    from read_csv({files}, header = true, all_varchar = true, delim = ',', quote = '"',
                  escape = '"', union_by_name = true, encoding = 'latin-1')
)
select
    "{invoice}" as order_id,
    cast(row_number() over (partition by {clean_invoice} order by source_row_number)
         as varchar) as line_number,
    coalesce(strftime(try_strptime({clean_date}, {formats}), '%Y-%m-%d %H:%M:%S'),
             "{date}") as ordered_at,
    regexp_replace("{customer}", '\\.0+\\s*$', '') as customer_id,
    "StockCode" as product_id,
    "Quantity" as quantity,
    "{price}" as unit_price,
    null::varchar as discount_pct,
    null::varchar as coupon_code,
    null::varchar as return_of_order_id,
    source_row_number
from numbered
"""

FIGURES_SQL = """
create temp table floor_raw as {raw};

-- The contract's clean order lines (validate_entity: first defect, then copies, then keys).
create temp table floor_lines as
with typed as (
    select
        source_row_number,
        {texts},
        {{order_id}} as order_id,
        try_cast({{line_number}} as bigint) as line_number,
        try_strptime({{ordered_at}}, {timestamp_formats}) as ordered_at,
        {{customer_id}} as customer_id,
        try_cast({{quantity}} as bigint) as quantity,
        try_cast({{unit_price}} as double) as unit_price,
        try_cast({{discount_pct}} as double) as discount_pct
    from floor_raw
),
checked as (
    select *,
        order_id__text is null or line_number is null or ordered_at is null
            or product_id__text is null or quantity is null or unit_price is null
            or (discount_pct__text is not null and discount_pct is null)
            or quantity = 0 or abs(quantity) > {max_quantity} or unit_price <= 0
            or coalesce(discount_pct < 0 or discount_pct > 1, false) as has_defect
    from typed
),
ranked as (
    select *,
        row_number() over (partition by {fingerprint} order by source_row_number)
            as copy_number,
        row_number() over (partition by order_id, line_number, has_defect
                           order by source_row_number) as key_rank
    from checked
)
select
    order_id, customer_id, ordered_at, quantity,
    cast(date_trunc('month', ordered_at) as date) as month_start_date,
    quantity < 0 as is_return,
    quantity * unit_price as gross_amount,
    quantity * unit_price * (1 - coalesce(discount_pct, 0)) as net_amount
from ranked
where not has_defect and copy_number = 1 and key_rank = 1;

-- fct_orders: an order is a return when all its lines are.
create temp table floor_orders as
select
    order_id,
    max(customer_id) as customer_id,
    cast(min(ordered_at) as date) as order_date,
    bool_and(is_return) as is_return,
    sum(net_amount) as net_amount
from floor_lines
group by order_id;

create temp table floor_as_of as
select cast(max(ordered_at) as date) + 1 as as_of_date from floor_lines;

create table floor_kpi_monthly as
select
    month_start_date,
    sum(gross_amount) filter (where not is_return) as gross_revenue,
    coalesce(sum(-net_amount) filter (where is_return), 0) as returns_amount,
    sum(net_amount) as net_revenue,
    count(distinct order_id) filter (where not is_return) as orders,
    count(*) filter (where not is_return) as items,
    coalesce(sum(quantity) filter (where not is_return), 0) as quantity,
    count(distinct customer_id) filter (where not is_return) as customers
from floor_lines
group by month_start_date;

-- int_customer_monthly_activity and cohort_retention, months with an active customer only.
create table floor_cohort_retention as
with customer_orders as (
    select customer_id, is_return, cast(date_trunc('month', order_date) as date) as month
    from floor_orders
    where customer_id is not null and order_date < (select as_of_date from floor_as_of)
),
cohorts as (
    select customer_id, min(month) as cohort_month
    from customer_orders
    where not is_return
    group by customer_id
),
active as (
    select distinct cohorts.cohort_month, customer_orders.customer_id, customer_orders.month
    from customer_orders
    inner join cohorts using (customer_id)
    where not customer_orders.is_return
)
select
    cohort_month,
    datediff('month', cohort_month, month) as months_since_first_order,
    count(*) as active_customers,
    count(*) / first(count(*)) over (partition by cohort_month
                                     order by datediff('month', cohort_month, month))
        as retention_rate
from active
group by cohort_month, months_since_first_order;

-- customer_features and customer_rfm: score = 1 + floor(5 x share of customers strictly
-- worse), ties kept together; monetary ranked to the cent.
create table floor_customer_rfm as
with customers as (
    select
        customer_id,
        datediff('day', max(order_date) filter (where not is_return),
                 any_value(as_of_date)) as recency_days,
        count(*) filter (where not is_return) as frequency,
        sum(net_amount) as monetary
    from floor_orders
    cross join floor_as_of
    where customer_id is not null and order_date <= as_of_date
    group by customer_id
    having count(*) filter (where not is_return) > 0
),
positions as (
    select *,
        count(*) over () as n,
        rank() over (order by recency_days desc) - 1 as recency_worse,
        rank() over (order by frequency) - 1 as frequency_worse,
        rank() over (order by round(monetary, 2)) - 1 as monetary_worse
    from customers
)
select
    customer_id, recency_days, frequency, monetary,
    cast(1 + floor(5.0 * recency_worse / n) as integer) as r_score,
    cast(1 + floor(5.0 * frequency_worse / n) as integer) as f_score,
    cast(1 + floor(5.0 * monetary_worse / n) as integer) as m_score
from positions;
"""

# Rows of the floor that differ from the warehouse's marts (read from an attached build).
COMPARISONS = {
    "kpi_monthly": """
        select count(*) from floor_kpi_monthly as f
        full join (select * from wh.marts.kpi_monthly where orders > 0 or net_revenue <> 0) as w
            using (month_start_date)
        where f.orders is distinct from w.orders or f.customers is distinct from w.customers
            or abs(f.net_revenue - w.net_revenue) > 0.005 or w.net_revenue is null
            or f.net_revenue is null""",
    "cohort_retention": """
        select count(*) from floor_cohort_retention as f
        full join (select * from wh.marts.cohort_retention where active_customers > 0) as w
            using (cohort_month, months_since_first_order)
        where f.active_customers is distinct from w.active_customers""",
    "customer_rfm": """
        select count(*) from floor_customer_rfm as f
        full join wh.marts.customer_rfm as w using (customer_id)
        where f.r_score is distinct from w.r_score or f.f_score is distinct from w.f_score
            or f.m_score is distinct from w.m_score""",
}


def _sql_list(values) -> str:
    return "[" + ", ".join("'" + str(v).replace("'", "''") + "'" for v in values) + "]"


def _clean(column: str) -> str:
    """The contract's clean_text: outer whitespace trimmed, inner runs collapsed, '' = null."""
    return f"nullif(trim(regexp_replace({column}, '\\s+', ' ', 'g')), '')"


def raw_sql(raw_dir: Path, source: str) -> str:
    """The raw order lines of `raw_dir` as text in the contract's columns.

    Parameters
    ----------
    raw_dir : Path
        The folder the warehouse's build reads (RAW_DATA_PATH).
    source : str
        ``demo`` (``order_lines.csv`` or ``.parquet``) or ``online_retail`` (every
        ``*.csv*`` file, either header layout).

    Returns
    -------
    str
        A select of the columns ``TEXT_COLUMNS`` and ``source_row_number``.
    """
    raw_dir = Path(raw_dir)
    if source == "demo":
        found = sorted(raw_dir.glob("order_lines.*"))
        if not found:
            raise FileNotFoundError(f"no order_lines file in {raw_dir}")
        path = _sql_list([found[0]])
        reader = (f"read_parquet({path})" if found[0].suffix == ".parquet" else
                  f"read_csv({path}, header = true, all_varchar = true, delim = ',', "
                  "quote = '\"', escape = '\"')")
        return DEMO_RAW.format(columns=", ".join(f"cast({c} as varchar) as {c}"
                                                 for c in TEXT_COLUMNS), reader=reader)
    if source == "online_retail":
        files = sorted(p for p in raw_dir.iterdir() if ".csv" in p.name)
        if not files:
            raise FileNotFoundError(f"no CSV file in {raw_dir}")
        header = {r[0] for r in duckdb.sql(
            f"describe select * from read_csv({_sql_list(files)}, header = true, "
            "all_varchar = true, union_by_name = true, encoding = 'latin-1')").fetchall()}
        names = {key: next((o for o in options if o in header), options[0]) for key, options in
                 {"invoice": ("InvoiceNo", "Invoice"), "price": ("UnitPrice", "Price"),
                  "customer": ("CustomerID", "Customer ID")}.items()}
        return ONLINE_RETAIL_RAW.format(
            files=_sql_list(files), **names, date="InvoiceDate",
            clean_invoice=_clean(f'"{names["invoice"]}"'), clean_date=_clean('"InvoiceDate"'),
            formats=_sql_list(ONLINE_RETAIL_TIMESTAMP_FORMATS))
    raise ValueError(f"no floor for source {source!r} (demo, online_retail)")


def figures_sql(raw_dir: Path, source: str) -> str:
    """The floor's whole script: the clean lines, orders and the three figure tables."""
    texts = {c: f"{c}__text" for c in TEXT_COLUMNS}
    sql = FIGURES_SQL.format(
        raw=raw_sql(raw_dir, source),
        texts=",\n        ".join(f"{_clean(c)} as {t}" for c, t in texts.items()),
        timestamp_formats=_sql_list(TIMESTAMP_FORMATS), max_quantity=MAX_LINE_QUANTITY,
        # validate_entity's fingerprint: every cleaned text but the line number
        fingerprint=", ".join(t for c, t in texts.items() if c != "line_number"))
    return sql.format(**texts)


def compute(raw_dir: Path, source: str = "demo",
            con: duckdb.DuckDBPyConnection | None = None
            ) -> tuple[duckdb.DuckDBPyConnection, float]:
    """Build the floor's tables from the raw files.

    Parameters
    ----------
    raw_dir : Path
        The raw folder of the build the floor stands for.
    source : str
        ``demo`` or ``online_retail``.
    con : duckdb.DuckDBPyConnection, optional
        Where the tables go; default a new in-memory database with the warehouse's DuckDB
        settings (DUCKDB_THREADS, DUCKDB_MEMORY_LIMIT; profiles/profiles.yml).

    Returns
    -------
    tuple of (duckdb.DuckDBPyConnection, float)
        The connection holding ``TABLES`` and the wall seconds they took, reading included.
    """
    if con is None:
        con = duckdb.connect(config={
            "threads": int(os.environ.get("DUCKDB_THREADS", "2")),
            "memory_limit": os.environ.get("DUCKDB_MEMORY_LIMIT", "4GB")})
    sql = figures_sql(raw_dir, source)        # (reads the header: not timed)
    started = time.perf_counter()
    con.execute(sql)
    return con, time.perf_counter() - started


def differences(con: duckdb.DuckDBPyConnection, warehouse: Path) -> dict:
    """Rows of each floor table that differ from the warehouse's mart (0 = same figures).

    Parameters
    ----------
    con : duckdb.DuckDBPyConnection
        A connection `compute` filled.
    warehouse : Path
        A built warehouse file, of the same raw files; attached read-only.

    Returns
    -------
    dict
        Mart name to the number of differing rows, or None when the build lacks the mart.
    """
    con.execute(f"attach {_sql_list([warehouse])[1:-1]} as wh (read_only)")
    try:
        built = {r[0] for r in con.execute(
            "select table_name from duckdb_tables() where database_name = 'wh' "
            "and schema_name = 'marts'").fetchall()}
        return {mart: aggregate_row(con, sql)[0] if mart in built else None
                for mart, sql in COMPARISONS.items()}
    finally:
        con.execute("detach wh")


def run(raw_dir: Path, source: str = "demo", warehouse: Path | None = None) -> dict:
    """The floor as a bench record.

    Returns
    -------
    dict
        ``seconds`` (in the process, reading the raw files included), the ``rows`` of each
        table, the total ``net_revenue``, and with `warehouse` its ``differences``.
    """
    con, seconds = compute(raw_dir, source)
    with con:
        record = {
            "seconds": round(seconds, 3),
            "rows": {t: aggregate_row(con, f"select count(*) from {t}")[0] for t in TABLES},
            "net_revenue": round(aggregate_row(
                con, "select sum(net_revenue) from floor_kpi_monthly")[0] or 0, 2)}
        if warehouse is not None:
            record["differences"] = differences(con, warehouse)
    return record


def main(argv=None):
    """Print the floor's bench record of a raw folder as JSON (see run)."""
    p = argparse.ArgumentParser(prog="python -m ecommerce_warehouse.bench_floor",
                                description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("raw_dir", type=Path)
    p.add_argument("--source", default="demo", choices=("demo", "online_retail"))
    p.add_argument("--warehouse", type=Path, help="a build to compare the figures with")
    a = p.parse_args(argv)
    print(json.dumps(run(a.raw_dir, a.source, a.warehouse)))


if __name__ == "__main__":
    main()
