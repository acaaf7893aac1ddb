"""The report's data preparation, on small frames worked out by hand, its "no data" panels, and
the whole report of the tiny shop rendered in headless Chromium."""

import math
import re
import shutil
import subprocess

import pandas as pd
import pytest

from ecommerce_warehouse import report

from dbt_runner import REPO_ROOT, build_warehouse

TINY_SHOP = REPO_ROOT / "tests" / "python" / "fixtures" / "tiny_shop"
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                  "--no-first-run", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync"]

MONTHS = pd.to_datetime(["2024-03-01", "2024-04-01", "2024-05-01"])


def test_headline_kpis_of_the_tiny_shop():
    # The tiny shop's kpi_monthly (test_semantic_layer.py) and dim_customers (test_tiny_shop.py).
    kpi_monthly = pd.DataFrame({"month_start_date": MONTHS, "net_revenue": [38.0, 20.0, 5.0],
                                "orders": [2, 1, 1], "average_order_value": [29.0, 20.0, 5.0]})
    customers = pd.DataFrame({"customer_id": ["C1", "C2", "C3"], "order_count": [2, 1, 0],
                              "is_repeat_customer": [True, False, False]})
    assert report.headline_kpis(kpi_monthly, customers) == {
        "net_revenue": 63.0, "orders": 4,
        "average_order_value": pytest.approx(20.75),  # (2 x 29 + 20 + 5) / 4
        "customers": 2,  # C3 never bought
        "repeat_customer_share": 0.5,
    }


def test_monthly_trend_sorts_and_averages_the_last_three_months():
    # The partial months (a last month of one day: 1.0) are left out, not drawn as a plunge.
    kpi_monthly = pd.DataFrame({
        "month_start_date": pd.to_datetime(["2024-04-01", "2024-01-01", "2024-03-01",
                                            "2024-02-01", "2024-05-01", "2023-12-01"]),
        "is_partial_period": [False, False, False, False, True, True],
        "net_revenue": [40.0, 10.0, 30.0, 20.0, 1.0, 2.0]})
    trend = report.monthly_trend(kpi_monthly)
    assert trend["net_revenue"].tolist() == [10.0, 20.0, 30.0, 40.0]
    assert [None if math.isnan(v) else v for v in trend["moving_average"]] == [
        None, None, 20.0, 30.0]


def test_weekday_hour_matrix_has_every_hour():
    matrix = report.weekday_hour_matrix(pd.DataFrame({
        "day_of_week": [1, 2, 1], "day_name": ["Monday", "Tuesday", "Monday"],
        "hour_of_day": [9, 23, 10], "average_net_revenue_per_day": [5.0, 2.0, 1.0]}))
    assert matrix.shape == (2, 24)
    assert matrix.index.tolist() == ["Monday", "Tuesday"]
    assert matrix.loc["Monday", 9] == 5.0 and matrix.loc["Monday", 10] == 1.0
    assert matrix.loc["Tuesday", 23] == 2.0
    assert matrix.to_numpy().sum() == 8.0


def test_revenue_by_customer_type_counts_missing_guests_as_zero():
    frame = report.revenue_by_customer_type(pd.DataFrame({
        "month_start_date": MONTHS[::-1], "is_partial_period": [False, False, False],
        "new_customer_revenue": [1.0, 2.0, 3.0],
        "existing_customer_revenue": [0.0, 4.0, 5.0], "guest_revenue": [None, 6.0, None]}))
    assert frame.index.tolist() == MONTHS.tolist()
    assert frame.to_numpy().tolist() == [[3.0, 5.0, 0.0], [2.0, 4.0, 6.0], [1.0, 0.0, 0.0]]


def test_revenue_by_customer_type_leaves_out_partial_months():
    # The tiny shop's months: March starts on the 5th and May holds one day (partial).
    frame = report.revenue_by_customer_type(pd.DataFrame({
        "month_start_date": MONTHS, "is_partial_period": [True, False, True],
        "new_customer_revenue": [18.0, 20.0, 0.0], "existing_customer_revenue": [20.0, 0.0, 5.0],
        "guest_revenue": [20.0, 0.0, 0.0]}))
    assert frame.index.tolist() == [MONTHS[1]]


def test_retention_matrix_is_cohort_by_month_offset():
    matrix = report.retention_matrix(pd.DataFrame({
        "cohort_month": [MONTHS[1], MONTHS[0], MONTHS[0], MONTHS[1]],
        "months_since_first_order": [0, 0, 1, 1], "retention_rate": [1.0, 1.0, 0.25, 0.5]}))
    assert matrix.index.tolist() == MONTHS[:2].tolist()
    assert matrix.to_numpy().tolist() == [[1.0, 0.25], [1.0, 0.5]]


def test_rfm_score_counts_has_every_score():
    counts = report.rfm_score_counts(pd.DataFrame({
        "r_score": [5, 5, 1], "f_score": [1, 1, 1], "m_score": [2, 3, 4]}))
    assert counts.index.tolist() == [1, 2, 3, 4, 5]
    assert counts["recency"].tolist() == [1, 0, 0, 0, 2]
    assert counts["frequency"].tolist() == [3, 0, 0, 0, 0]
    assert counts["monetary"].tolist() == [0, 1, 1, 1, 0]


def test_segment_points_keep_clustered_customers_only():
    points = report.segment_points(
        pd.DataFrame({"customer_id": ["C1", "C2"], "frequency": [3, 1], "monetary": [90.0, 10.0],
                      "recency_days": [1, 2]}),
        pd.DataFrame({"customer_id": ["C1"], "cluster_label": ["loyal"], "cluster_id": [1]}))
    assert points.to_dict("records") == [
        {"customer_id": "C1", "frequency": 3, "monetary": 90.0, "cluster_label": "loyal"}]


def test_top_products_by_net_revenue_named_or_by_id():
    top = report.top_products(pd.DataFrame({
        "product_id": ["P1", "P2", "P3"], "product_name": ["Mug", None, "Vase"],
        "net_revenue": [5.0, 30.0, 20.0]}), n=2)
    assert top.to_dict("records") == [{"label": "P2", "net_revenue": 30.0},
                                      {"label": "Vase", "net_revenue": 20.0}]


def test_top_bundles_by_rank():
    top = report.top_bundles(pd.DataFrame({
        "bundle_rank": [2, 1, 3], "product_names": ["A + B", "C + D", "E + F"],
        "bundle_orders": [4, 9, 1], "lift": [2.5, 3.0, 2.1]}), n=2)
    assert top.to_dict("records") == [{"label": "C + D", "bundle_orders": 9, "lift": 3.0},
                                      {"label": "A + B", "bundle_orders": 4, "lift": 2.5}]


def test_spend_vs_revenue_leaves_out_months_without_spend():
    frame = report.spend_vs_revenue(pd.DataFrame({
        "month_start_date": MONTHS, "marketing_spend": [100.0, None, 80.0],
        "net_revenue": [38.0, 20.0, 5.0], "fitted_net_revenue": [37.0, None, 6.0]}))
    assert frame["marketing_spend"].tolist() == [100.0, 80.0]


def test_model_scores_leave_out_skipped_models():
    scores = report.model_scores(pd.DataFrame({
        "model_name": ["churn", "clv"], "metric": ["roc_auc", "accuracy"],
        "model_value": [0.8, None], "baseline_value": [0.5, None]}))
    assert scores.to_dict("records") == [
        {"label": "churn\nroc_auc", "model_value": 0.8, "baseline_value": 0.5}]


def test_model_scores_say_whether_the_primary_metric_beats_the_baseline():
    scores = report.model_scores(pd.DataFrame({
        "model_name": ["churn", "churn", "clv"], "metric": ["roc_auc", "accuracy", "macro_f1"],
        "model_value": [0.8, 0.7, 0.5], "baseline_value": [0.5, 0.7, 0.55],
        "is_primary_metric": [True, False, True], "beats_baseline": [True, None, False]}))
    assert scores["label"].tolist() == ["churn\nroc_auc\nbeats baseline", "churn\naccuracy",
                                        "clv\nmacro_f1\nNOT better than baseline"]


def test_a_missing_or_empty_mart_gives_a_no_data_panel_not_a_crash():
    html = report.render_report({"marketing_spend_monthly": pd.DataFrame(
        {"month_start_date": [], "marketing_spend": [], "net_revenue": [],
         "fitted_net_revenue": []})}, "empty shop")
    for chart in report.CHARTS:
        assert f'<figure id="{chart.id}" class="chart no-data-chart">' in html
    assert "No data for this source (marketing_spend_monthly is empty)" in html
    assert "No data for this source (product_bundles is not built)" in html
    months_without_spend = report.render_chart(
        next(c for c in report.CHARTS if c.id == "marketing-spend-vs-revenue"),
        {"marketing_spend_monthly": pd.DataFrame({
            "month_start_date": MONTHS, "marketing_spend": [None] * 3,
            "net_revenue": [1.0] * 3, "fitted_net_revenue": [None] * 3})})
    assert "(nothing to chart in marketing_spend_monthly)" in months_without_spend
    assert '<section id="headline-kpis"><div class="no-data">' in html


def test_a_chart_with_data_is_inline_svg():
    chart = next(c for c in report.CHARTS if c.id == "top-products")
    html = report.render_chart(chart, {"product_performance": pd.DataFrame({
        "product_id": ["P1"], "product_name": ["Mug"], "net_revenue": [5.0]})})
    assert html.startswith('<figure id="top-products" class="chart">')
    assert "<svg" in html and ">Mug<" in html and "<figcaption>" in html


PREDICTION_MARTS = ("model_metrics", "churn_reliability")


def test_the_churn_calibration_chart_draws_every_bin():
    chart = next(c for c in report.CHARTS if c.id == "churn-calibration")
    html = report.render_chart(chart, {"churn_reliability": pd.DataFrame({
        "probability_bin": [2, 1], "mean_predicted_probability": [0.15, 0.05],
        "observed_churn_share": [0.2, 0.04], "customers": [1200, 30]})})
    assert html.startswith('<figure id="churn-calibration" class="chart">') and "<svg" in html
    for label in ("1,200", "30", "perfectly calibrated"):   # each bin's customers, the diagonal
        assert label in html, label


@pytest.mark.dbt
def test_the_tiny_shops_report_renders_in_headless_chromium(tmp_path):
    chromium = shutil.which("chromium")
    if chromium is None:
        pytest.skip("chromium not installed: `make browser` installs Debian's (apt-get), "
                    "which needs root or passwordless sudo and the Debian mirror")
    # Every mart of the report but the prediction marts (their models are the slow part of a
    # build, and the tiny shop has too few customers to score one).
    warehouse = build_warehouse(TINY_SHOP, tmp_path, select=[
        f"+{name}" for chart in report.CHARTS for name in chart.marts
        if name not in PREDICTION_MARTS])
    page = report.write_report(warehouse, tmp_path / "report.html")
    dom = subprocess.run(
        [chromium, *CHROMIUM_FLAGS, f"--user-data-dir={tmp_path / 'profile'}", "--dump-dom",
         page.as_uri()], capture_output=True, text=True, timeout=120, check=True).stdout
    # The headline first: net revenue 63 = 38 + 20 + 5, 4 orders, AOV 20.75, 2 buyers.
    assert dom.index('id="headline-kpis"') < dom.index("<figure")
    headline = dom[dom.index('id="headline-kpis"'):dom.index("<figure")]
    for value in (">63<", ">4<", ">20.75<", ">2<", ">50%<"):
        assert value in headline, value
    figures = dict(re.findall(r'<figure id="([a-z-]+)"(.*?)</figure>', dom, flags=re.S))
    assert sorted(figures) == sorted(chart.id for chart in report.CHARTS)
    # the prediction marts are not built
    for chart_id, body in figures.items():
        assert re.search(r"<figcaption>[^<]+</figcaption>", body), chart_id
        if chart_id in ("model-metrics", "churn-calibration"):
            assert "No data for this source" in body and "<svg" not in body
        else:
            svg = body[body.index("<svg"):]
            assert len(re.findall(r"<(?:path|text|use|image)\b", svg)) >= 5, chart_id
