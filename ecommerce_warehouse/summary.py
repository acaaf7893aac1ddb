"""Print what `make run` built: rows per mart, a few headline KPIs, where things are."""

from __future__ import annotations

import os
import sys

from ecommerce_warehouse import schemas
from ecommerce_warehouse.paths import REPO_ROOT, resolve
from ecommerce_warehouse.publish import serving_path

MARTS = [
    "fct_order_lines", "fct_orders", "dim_customers", "dim_products", "dim_date",
    "quarantined_rows", "kpi_monthly", "cohort_retention", "product_performance",
    "customer_rfm", "customer_segments", "churn_predictions", "basket_rules",
]

HEADLINE_SQL = """
select
    count(*) filter (where not is_return) as orders,
    count(distinct customer_id) filter (where not is_return) as customers,
    sum(gross_amount) filter (where not is_return) as gross_revenue,
    sum(net_amount) as net_revenue_after_returns,
    avg(net_amount) filter (where not is_return) as average_order_value,
    min(order_date) as first_order_date,
    max(order_date) as last_order_date
from fct_orders
"""


VERDICT_SQL = """
select model_name, metric, model_value, baseline_name, baseline_value, improvement,
       improvement_ci_low, improvement_ci_high, beats_baseline
from model_metrics where is_primary_metric order by model_name
"""


def model_verdicts(rows) -> list[str]:
    """One sentence per model: its primary metric against its baseline, the 95 % interval of
    the difference, and whether to trust it over the baseline (model_metrics' primary rows)."""
    lines = []
    for name, metric, model, baseline_name, baseline, improvement, low, high, beats in rows:
        figures = (f"{metric} {model:.3f} vs {baseline:.3f} ({baseline_name}), "
                   f"improvement {improvement:+.3f} [95 % CI {low:+.3f} .. {high:+.3f}]")
        verdict = ("beats its baseline" if beats else
                   "does NOT beat its baseline: its predictions are written, but prefer the "
                   "baseline on this shop")
        lines.append(f"  {name:<14} {figures}: {verdict}")
    return lines


def main() -> int:
    """Print the rows per mart and headline KPIs of the warehouse; 1 if there is no warehouse."""
    path = resolve(os.environ.get("DBT_DUCKDB_PATH", "warehouse.duckdb"))
    if not path.exists():
        print(f"No warehouse at {path}: run `make run` first.", file=sys.stderr)
        return 1
    with schemas.connect(path) as con:
        print("\nRows per mart")
        for mart in MARTS:
            (rows,) = schemas.aggregate_row(con, f"select count(*) from {mart}")
            print(f"  {mart:<22} {rows:>12,}")
        kpis = schemas.aggregate_row(con, HEADLINE_SQL)
        repeat = schemas.aggregate_row(
            con,
            "select avg(case when is_repeat_customer then 1.0 else 0 end)"
            " from dim_customers where order_count > 0"
        )[0]
        (has_metrics,) = schemas.aggregate_row(
            con, "select count(*) from information_schema.tables"
                 " where table_name = 'model_metrics'")
        verdicts = model_verdicts(con.sql(VERDICT_SQL).fetchall()) if has_metrics else []
        reasons = con.sql(
            "select reason, count(*) from quarantined_rows group by 1 order by 2 desc"
        ).fetchall()
    orders, customers, gross, net, aov, first, last = kpis
    print("\nHeadline KPIs")
    print(f"  period                 {first} .. {last}")
    print(f"  orders                 {orders:>12,}")
    print(f"  customers              {customers:>12,}")
    print(f"  gross revenue          {gross:>15,.2f}")
    print(f"  net revenue (returns)  {net:>15,.2f}")
    print(f"  average order value    {aov:>15,.2f}")
    print(f"  repeat customer rate   {repeat:>15.1%}")
    if verdicts:
        print("\nModels on held-out customers (model_metrics)")
        print("\n".join(verdicts))
    print("\nQuarantined rows: " + (", ".join(f"{r} {n:,}" for r, n in reasons) or "none"))
    print(f"\nWarehouse (DuckDB): {path}")
    print(f"For BI tools:       {serving_path()}  (read-only, schema {schemas.MARTS})")
    print(f"Docs site:          {REPO_ROOT / 'target' / 'static_index.html'}"
          "  (or `.venv/bin/dbt docs serve`)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
