"""The visual report: one static HTML file from the marts, readable offline.

``python -m ecommerce_warehouse.report [--warehouse PATH] [--out reports/report.html]`` (what
``make report`` runs). It opens the warehouse read-only, so it never blocks a build. Charts
are matplotlib figures inlined as SVG (no script, no CDN). A mart that is missing or empty
for the source (no marketing spend, too few customers for bundles, ...) gives a "no data
for this source" panel instead of a chart.

The data preparation of each chart is a plain function on DataFrames, unit-tested
(tests/python/test_report.py); the drawing functions only plot what they are given.
"""

from __future__ import annotations

import argparse
import html
import io
import os
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import matplotlib
import matplotlib.dates
import matplotlib.ticker
import pandas as pd

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402 (after choosing the non-interactive backend)

from ecommerce_warehouse import schemas  # noqa: E402
from ecommerce_warehouse.paths import DEFAULT_WAREHOUSE, REPO_ROOT, resolve  # noqa: E402

DEFAULT_OUT = REPO_ROOT / "reports" / "report.html"
TOP_N = 10
matplotlib.rcParams.update({
    "svg.fonttype": "none",  # text stays text: smaller files, searchable labels
    "svg.hashsalt": "ecommerce-warehouse",  # stable element ids: same data, same file
    "figure.figsize": (9, 3.8),
    "axes.spines.top": False,
    "axes.spines.right": False,
})


# --- data preparation (unit-tested) ---

def headline_kpis(kpi_monthly: pd.DataFrame, customers: pd.DataFrame) -> dict[str, float]:
    """Totals over the whole history, from the marts' own definitions: net revenue and orders
    summed over months, AOV = (gross − discounts) / orders (the monthly AOV weighted by
    orders), customers with an order and the share of them who ordered twice or more."""
    orders = kpi_monthly["orders"].sum()
    buyers = customers[customers["order_count"] > 0]
    return {
        "net_revenue": float(kpi_monthly["net_revenue"].sum()),
        "orders": int(orders),
        "average_order_value": float(
            (kpi_monthly["average_order_value"].fillna(0) * kpi_monthly["orders"]).sum() / orders)
        if orders else float("nan"),
        "customers": len(buyers),
        "repeat_customer_share": float(buyers["is_repeat_customer"].mean())
        if len(buyers) else float("nan"),
    }


def whole_periods(mart: pd.DataFrame) -> pd.DataFrame:
    """The rows of whole periods: a first or last month only partly inside the order history
    (is_partial_period, e.g. a last month of one day) would draw a plunge that is not there."""
    return mart[~mart["is_partial_period"].astype(bool)]


def monthly_trend(kpi_monthly: pd.DataFrame, window: int = 3) -> pd.DataFrame:
    """Net revenue by whole month and its trailing moving average over `window` months."""
    trend = whole_periods(kpi_monthly)[["month_start_date", "net_revenue"]].sort_values(
        "month_start_date")
    trend = trend.reset_index(drop=True)
    trend["moving_average"] = trend["net_revenue"].rolling(window, min_periods=window).mean()
    return trend


def weekday_hour_matrix(sales_by_weekday_hour: pd.DataFrame) -> pd.DataFrame:
    """Average net revenue per day, weekday (rows, Monday first) × hour of day (0-23)."""
    matrix = sales_by_weekday_hour.pivot_table(
        index=["day_of_week", "day_name"], columns="hour_of_day",
        values="average_net_revenue_per_day", aggfunc="sum", fill_value=0.0)
    matrix = matrix.reindex(columns=range(24), fill_value=0.0)
    matrix.index = matrix.index.get_level_values("day_name")
    return matrix


def revenue_by_customer_type(kpi_monthly: pd.DataFrame) -> pd.DataFrame:
    """Sold net revenue by whole month: new customers, existing customers, guests."""
    columns = ["new_customer_revenue", "existing_customer_revenue", "guest_revenue"]
    frame = (whole_periods(kpi_monthly).sort_values("month_start_date")
             .set_index("month_start_date")[columns])
    return frame.fillna(0.0)


def retention_matrix(cohort_retention: pd.DataFrame) -> pd.DataFrame:
    """Retention rate, cohort month (rows) × months since the first order (columns)."""
    return cohort_retention.pivot_table(index="cohort_month", columns="months_since_first_order",
                                        values="retention_rate").sort_index()


def rfm_score_counts(customer_rfm: pd.DataFrame) -> pd.DataFrame:
    """Customers per score 1-5 of recency, frequency and monetary value."""
    return pd.DataFrame({
        name: customer_rfm[f"{name[0]}_score"].value_counts().reindex(range(1, 6), fill_value=0)
        for name in ("recency", "frequency", "monetary")
    })


def segment_sizes(customer_rfm: pd.DataFrame) -> pd.Series:
    """Customers per named RFM segment, largest first."""
    return customer_rfm["rfm_segment"].value_counts()


def segment_points(features: pd.DataFrame, segments: pd.DataFrame) -> pd.DataFrame:
    """Each clustered customer's frequency and monetary value with their segment label."""
    return features[["customer_id", "frequency", "monetary"]].merge(
        segments[["customer_id", "cluster_label"]], on="customer_id", how="inner")


def top_products(product_performance: pd.DataFrame, n: int = TOP_N) -> pd.DataFrame:
    """The n products with the most net revenue (product name, else id)."""
    top = product_performance.nlargest(n, "net_revenue").copy()
    top["label"] = top["product_name"].fillna(top["product_id"])
    return top[["label", "net_revenue"]]


def top_bundles(product_bundles: pd.DataFrame, n: int = TOP_N) -> pd.DataFrame:
    """The n best-ranked bundles: their product names, orders and lift."""
    top = product_bundles.nsmallest(n, "bundle_rank")
    return top.rename(columns={"product_names": "label"})[["label", "bundle_orders", "lift"]]


def spend_vs_revenue(marketing_spend_monthly: pd.DataFrame) -> pd.DataFrame:
    """Months with known marketing spend: spend, net revenue and the least-squares fit."""
    return marketing_spend_monthly.dropna(subset=["marketing_spend"]).sort_values(
        "month_start_date")[["month_start_date", "marketing_spend", "net_revenue",
                             "fitted_net_revenue"]]


def model_scores(model_metrics: pd.DataFrame) -> pd.DataFrame:
    """Each model's held-out metric values next to its naive baseline (scored models only);
    a primary metric's label says whether the model beats its baseline (model_metrics)."""
    scored = model_metrics.dropna(subset=["model_value"]).copy()
    scored["label"] = scored["model_name"] + "\n" + scored["metric"]
    if "beats_baseline" in scored:
        verdict = scored["beats_baseline"].map({True: "\nbeats baseline",
                                                False: "\nNOT better than baseline"})
        primary = scored["is_primary_metric"].fillna(False).astype(bool)
        scored.loc[primary, "label"] += verdict[primary].fillna("")
    return scored[["label", "model_value", "baseline_value"]]


def churn_calibration(reliability: pd.DataFrame) -> pd.DataFrame:
    """Predicted against observed churn per probability bin (churn_reliability)."""
    return reliability.sort_values("probability_bin")[
        ["mean_predicted_probability", "observed_churn_share", "customers"]]


# --- drawing ---

def _money_axis(ax, axis: str = "y") -> None:
    fmt = matplotlib.ticker.FuncFormatter(lambda value, _: f"{value:,.0f}")
    (ax.yaxis if axis == "y" else ax.xaxis).set_major_formatter(fmt)


def draw_trend(trend: pd.DataFrame, ax) -> None:
    """Draw monthly net revenue and its 3-month moving average on ax."""
    ax.plot(trend["month_start_date"], trend["net_revenue"], marker="o", label="net revenue")
    ax.plot(trend["month_start_date"], trend["moving_average"], linestyle="--",
            label="3-month moving average")
    ax.set_ylabel("net revenue")
    _money_axis(ax)
    ax.xaxis.set_major_formatter(matplotlib.dates.DateFormatter("%Y-%m"))
    ax.tick_params(axis="x", labelrotation=45, labelsize=7)
    ax.legend(frameon=False)


def draw_weekday_hour(matrix: pd.DataFrame, ax) -> None:
    """Draw the weekday-by-hour net revenue heatmap on ax."""
    image = ax.imshow(matrix.to_numpy(), aspect="auto", cmap="Blues")
    ax.set_yticks(range(len(matrix.index)), matrix.index)
    ax.set_xticks(range(0, 24, 2), range(0, 24, 2))
    ax.set_xlabel("hour of day")
    ax.figure.colorbar(image, ax=ax, label="net revenue per day")


def draw_customer_type(frame: pd.DataFrame, ax) -> None:
    """Draw net revenue per month, stacked by new customers, existing customers and guests, on
    ax."""
    labels = [pd.Timestamp(month).strftime("%Y-%m") for month in frame.index]
    bottom = None
    for column, name in zip(frame.columns, ("new customers", "existing customers", "guests"),
                            strict=True):
        ax.bar(labels, frame[column], bottom=bottom, label=name)
        bottom = frame[column] if bottom is None else bottom + frame[column]
    ax.set_ylabel("net revenue (sold)")
    _money_axis(ax)
    ax.tick_params(axis="x", labelrotation=90, labelsize=7)
    ax.legend(frameon=False)


def draw_retention(matrix: pd.DataFrame, ax) -> None:
    """Draw the cohort retention heatmap (cohort by months since first order) on ax."""
    image = ax.imshow(matrix.to_numpy(), aspect="auto", cmap="viridis", vmin=0, vmax=1)
    ax.set_yticks(range(len(matrix.index)),
                  [pd.Timestamp(month).strftime("%Y-%m") for month in matrix.index], fontsize=6)
    ax.set_xticks(range(len(matrix.columns)), matrix.columns, fontsize=7)
    ax.set_xlabel("months since first order")
    ax.set_ylabel("cohort")
    ax.figure.colorbar(image, ax=ax, label="retention rate")


def draw_rfm_scores(counts: pd.DataFrame, ax) -> None:
    """Draw the customers per recency, frequency and monetary score on ax."""
    counts.plot.bar(ax=ax, rot=0)
    ax.set_xlabel("score (5 = best)")
    ax.set_ylabel("customers")
    ax.legend(frameon=False)


def draw_segment_sizes(sizes: pd.Series, ax) -> None:
    """Draw the customers per segment as horizontal bars on ax."""
    sizes.sort_values().plot.barh(ax=ax)
    ax.set_xlabel("customers")
    ax.set_ylabel("")


def draw_segment_scatter(points: pd.DataFrame, ax) -> None:
    """Draw customers by frequency and monetary value, coloured by segment, on ax."""
    for label, group in points.groupby("cluster_label"):
        ax.scatter(group["frequency"], group["monetary"], s=12, alpha=0.6, label=label)
    ax.set_xlabel("frequency (orders)")
    ax.set_ylabel("monetary (net revenue)")
    _money_axis(ax)
    ax.legend(frameon=False, fontsize=7)


def draw_top_products(top: pd.DataFrame, ax) -> None:
    """Draw the top products' net revenue as horizontal bars on ax."""
    ax.barh(top["label"].str.slice(0, 40)[::-1], top["net_revenue"][::-1])
    ax.set_xlabel("net revenue")
    _money_axis(ax, "x")


def draw_top_bundles(top: pd.DataFrame, ax) -> None:
    """Draw the top bundles' orders as horizontal bars, labelled with their lift, on ax."""
    bars = ax.barh(top["label"].str.slice(0, 60)[::-1], top["bundle_orders"][::-1])
    ax.bar_label(bars, [f"lift {lift:.1f}" for lift in top["lift"][::-1]], fontsize=7, padding=3)
    ax.set_xlabel("orders holding the whole bundle")
    ax.tick_params(axis="y", labelsize=7)


def draw_spend_vs_revenue(frame: pd.DataFrame, ax) -> None:
    """Draw monthly net revenue against marketing spend with its least-squares line on ax."""
    ax.scatter(frame["marketing_spend"], frame["net_revenue"], label="months")
    fitted = frame.dropna(subset=["fitted_net_revenue"]).sort_values("marketing_spend")
    ax.plot(fitted["marketing_spend"], fitted["fitted_net_revenue"], color="C1",
            label="least-squares line")
    ax.set_xlabel("marketing spend")
    ax.set_ylabel("net revenue")
    _money_axis(ax)
    _money_axis(ax, "x")
    ax.legend(frameon=False)


def draw_model_scores(scores: pd.DataFrame, ax) -> None:
    """Draw each model's score next to its naive baseline's on ax."""
    positions = range(len(scores))
    ax.bar([p - 0.2 for p in positions], scores["model_value"], width=0.4, label="model")
    ax.bar([p + 0.2 for p in positions], scores["baseline_value"].fillna(0), width=0.4,
           label="naive baseline")
    ax.set_xticks(list(positions), scores["label"], fontsize=7)
    ax.set_ylim(0, 1)
    ax.legend(frameon=False)


def draw_churn_calibration(calibration: pd.DataFrame, ax) -> None:
    """Draw the churn model's reliability curve (customers per bin annotated) on ax."""
    ax.plot([0, 1], [0, 1], linestyle="--", color="grey", label="perfectly calibrated")
    ax.plot(calibration["mean_predicted_probability"], calibration["observed_churn_share"],
            marker="o", label="churn model")
    for _, row in calibration.iterrows():
        ax.annotate(f"{int(row['customers']):,}", (row["mean_predicted_probability"],
                                                   row["observed_churn_share"]),
                    textcoords="offset points", xytext=(4, -10), fontsize=7)
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.set_xlabel("predicted churn probability (bin mean)")
    ax.set_ylabel("observed churn share")
    ax.legend(frameon=False)


# --- the report ---

@dataclass(frozen=True)
class Chart:
    """One chart of the report: its title and caption, the marts it reads, how they are prepared and
    drawn."""

    id: str
    title: str
    caption: str
    marts: tuple[str, ...]
    prepare: Callable[..., pd.DataFrame | pd.Series]
    draw: Callable


CHARTS = [
    Chart("sales-trend", "Sales trend",
          "Net revenue by month (returns netted out) and its 3-month moving average; a partial "
          "first or last month is left out (kpi_monthly).",
          ("kpi_monthly",), monthly_trend, draw_trend),
    Chart("sales-seasonality", "Weekly seasonality",
          "Average net revenue per day by weekday and hour of the order (sales_by_weekday_hour).",
          ("sales_by_weekday_hour",), weekday_hour_matrix, draw_weekday_hour),
    Chart("revenue-new-vs-existing", "Revenue: new vs existing customers",
          "Net revenue of sold orders by month from customers ordering for the first time, "
          "returning customers and guests; a partial first or last month is left out "
          "(kpi_monthly).",
          ("kpi_monthly",), revenue_by_customer_type, draw_customer_type),
    Chart("cohort-retention", "Cohort retention",
          "Share of each first-order cohort ordering again n months later (cohort_retention).",
          ("cohort_retention",), retention_matrix, draw_retention),
    Chart("rfm-scores", "RFM score distribution",
          "Customers per recency, frequency and monetary score, 1-5 quintiles (customer_rfm).",
          ("customer_rfm",), rfm_score_counts, draw_rfm_scores),
    Chart("rfm-segments", "RFM segments",
          "Customers per named RFM segment (customer_rfm; actions in segment_summary).",
          ("customer_rfm",), segment_sizes, draw_segment_sizes),
    Chart("segment-scatter", "Customer segments",
          "Each customer's orders and net revenue, coloured by K-Means segment "
          "(customer_features, customer_segments).",
          ("customer_features", "customer_segments"), segment_points, draw_segment_scatter),
    Chart("top-products", "Top products",
          f"The {TOP_N} products with the most net revenue (product_performance).",
          ("product_performance",), top_products, draw_top_products),
    Chart("top-bundles", "Top bundles",
          f"The {TOP_N} best bundles: orders holding every product of the bundle, and its lift "
          "(product_bundles).",
          ("product_bundles",), top_bundles, draw_top_bundles),
    Chart("marketing-spend-vs-revenue", "Marketing spend vs revenue",
          "Monthly marketing spend against net revenue, with the least-squares line "
          "(marketing_spend_monthly).",
          ("marketing_spend_monthly",), spend_vs_revenue, draw_spend_vs_revenue),
    Chart("model-metrics", "Prediction models",
          "Each model's metric on held-out customers next to a naive baseline (model_metrics).",
          ("model_metrics",), model_scores, draw_model_scores),
    Chart("churn-calibration", "Churn probability calibration",
          "Held-out customers in ten bins of predicted churn probability: the bin's mean "
          "prediction against the share that churned, with the customers per bin; on the "
          "diagonal the probabilities can be taken at face value (churn_reliability).",
          ("churn_reliability",), churn_calibration, draw_churn_calibration),
]


def read_mart(con: duckdb.DuckDBPyConnection, name: str) -> pd.DataFrame | None:
    """The mart as a DataFrame, or None when the warehouse does not have it."""
    schema = con.execute("select table_schema from information_schema.tables "
                         "where table_schema in (?, ?) and table_name = ?",
                         [schemas.MARTS, schemas.DATA_QUALITY, name]).fetchone()
    return con.sql(f'select * from "{schema[0]}"."{name}"').df() if schema else None


def svg(draw: Callable, data) -> str:
    """The figure drawn by draw(data, ax) as inline SVG markup."""
    fig, ax = plt.subplots()
    try:
        draw(data, ax)
        fig.tight_layout()
        buffer = io.StringIO()
        fig.savefig(buffer, format="svg")
    finally:
        plt.close(fig)
    markup = buffer.getvalue()
    return markup[markup.index("<svg"):]


def render_chart(chart: Chart, marts: dict[str, pd.DataFrame | None]) -> str:
    """A <figure> with the chart, or with a "no data" panel saying why: a mart not built, empty,
    or with no row to chart (e.g. months without marketing spend, models skipped)."""
    frames = [marts.get(name) for name in chart.marts]
    reasons = [f"{name} is not built" if frame is None else f"{name} is empty"
               for name, frame in zip(chart.marts, frames, strict=True)
               if frame is None or frame.empty]
    data = None if reasons else chart.prepare(*frames)
    if data is not None and len(data) == 0:
        reasons = [f"nothing to chart in {', '.join(chart.marts)}"]
    if reasons:
        body = ('<div class="no-data">No data for this source ('
                + html.escape("; ".join(reasons)) + ").</div>")
        css = "chart no-data-chart"
    else:
        body, css = svg(chart.draw, data), "chart"
    return (f'<figure id="{chart.id}" class="{css}"><h2>{html.escape(chart.title)}</h2>{body}'
            f"<figcaption>{html.escape(chart.caption)}</figcaption></figure>")


def render_headline(marts: dict[str, pd.DataFrame | None]) -> str:
    """The headline KPI cards as HTML; a no-data note if kpi_monthly is missing or empty (or
    dim_customers missing)."""
    kpi_monthly, customers = marts.get("kpi_monthly"), marts.get("dim_customers")
    if kpi_monthly is None or kpi_monthly.empty or customers is None:
        return ('<section id="headline-kpis"><div class="no-data">No data for this source '
                "(kpi_monthly is empty or not built).</div></section>")
    kpis = headline_kpis(kpi_monthly, customers)
    months = kpi_monthly["month_start_date"]
    cards = [
        ("Net revenue", f"{kpis['net_revenue']:,.0f}"),
        ("Orders", f"{kpis['orders']:,}"),
        ("Average order value", f"{kpis['average_order_value']:,.2f}"),
        ("Customers", f"{kpis['customers']:,}"),
        ("Repeat customers", f"{kpis['repeat_customer_share']:.0%}"),
        ("Months", f"{pd.Timestamp(months.min()):%Y-%m} to {pd.Timestamp(months.max()):%Y-%m}"),
    ]
    return '<section id="headline-kpis">' + "".join(
        f'<div class="kpi"><div class="kpi-value">{html.escape(value)}</div>'
        f'<div class="kpi-label">{html.escape(label)}</div></div>' for label, value in cards
    ) + "</section>"


STYLE = """
body { font-family: sans-serif; margin: 2em auto; max-width: 1000px; color: #222; }
#headline-kpis { display: flex; flex-wrap: wrap; gap: 1em; margin-bottom: 2em; }
.kpi { border: 1px solid #ddd; border-radius: 6px; padding: 0.8em 1.2em; min-width: 9em; }
.kpi-value { font-size: 1.6em; font-weight: bold; }
.kpi-label { color: #666; }
figure { margin: 0 0 2.5em 0; }
figure svg { width: 100%; height: auto; }
figcaption { color: #555; font-size: 0.9em; }
.no-data { background: #f4f4f4; color: #666; padding: 2em; text-align: center; }
"""


def render_report(marts: dict[str, pd.DataFrame | None], title: str) -> str:
    """The whole report page as HTML, from the marts read."""
    generated = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>{html.escape(title)}</title><style>{STYLE}</style></head><body>"
        f"<h1>{html.escape(title)}</h1><p>Generated {generated} from the warehouse marts.</p>"
        + render_headline(marts)
        + "".join(render_chart(chart, marts) for chart in CHARTS)
        + "</body></html>\n"
    )


def write_report(warehouse: Path, out: Path) -> Path:
    """Write the report of the warehouse (read-only) to out; returns out."""
    names = {"dim_customers", *(name for chart in CHARTS for name in chart.marts)}
    with schemas.connect(warehouse) as con:
        marts = {name: read_mart(con, name) for name in sorted(names)}
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(render_report(marts, f"Shop report: {warehouse.name}"), encoding="utf-8")
    return out


def main(argv: list[str] | None = None) -> None:
    """Write the report of --warehouse to --out."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--warehouse", type=Path,
                        default=resolve(os.environ.get("DBT_DUCKDB_PATH") or DEFAULT_WAREHOUSE))
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args(argv)
    print(f"==> report from {args.warehouse} (read-only)", flush=True)
    print(f"==> wrote {write_report(args.warehouse, args.out)}")


if __name__ == "__main__":
    main()
