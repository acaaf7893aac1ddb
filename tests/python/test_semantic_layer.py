"""The semantic layer (models/semantic): MetricFlow's `mf query` on the tiny shop returns the
figures worked out by hand (tests/python/fixtures/tiny_shop, line amounts in test_tiny_shop.py).

Orders by month: March O1 (C1's first: gross 40, net 38 after the 10 % coupon on 20), O2 (a
guest: 20) and the return R1 (net -20); April O3 (C2's first: 20); May O8 (C1's second: 5).
Web sessions: S1 (purchase) and S2 (none), both in March.

On a generated demo shop (returns, coupons, guests, several years) MetricFlow's metrics and the
kpi_monthly mart must agree month by month: net revenue and its siblings are defined once in
SQL (kpi_rollup) and once as semantic measures, and this is what keeps the two equal."""

import csv
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from ecommerce_warehouse import schemas
from ecommerce_warehouse.demo_shop import generate

from dbt_runner import REPO_ROOT, SHARED_TARGET, build_warehouse, dbt_env

TINY_SHOP = REPO_ROOT / "tests" / "python" / "fixtures" / "tiny_shop"
MF = Path(sys.executable).parent / "mf"
KPIS = ["revenue", "net_revenue", "orders", "average_order_value", "customers",
        "new_customers", "repeat_purchase_rate", "conversion_rate"]
pytestmark = pytest.mark.dbt

HAND_WORKED = {
    "2024-03": {"revenue": 60.0, "net_revenue": 38.0, "orders": 2.0,  # 40 + 20; 38 + 20 - 20
                "average_order_value": 29.0, "customers": 1.0,  # (38 + 20) / 2; O2 is a guest
                "new_customers": 1.0, "repeat_purchase_rate": 0.0, "conversion_rate": 0.5},
    "2024-04": {"revenue": 20.0, "net_revenue": 20.0, "orders": 1.0, "average_order_value": 20.0,
                "customers": 1.0, "new_customers": 1.0, "repeat_purchase_rate": 0.0,
                "conversion_rate": None},  # no web sessions in April
    "2024-05": {"revenue": 5.0, "net_revenue": 5.0, "orders": 1.0, "average_order_value": 5.0,
                "customers": 1.0, "new_customers": 0.0, "repeat_purchase_rate": 1.0,
                "conversion_rate": None},
}


def semantic_build(raw, work, *extra_models):
    """The shop's orders, web funnel and time spine, and a folder mf reads as the project:
    mf takes <project>/target/semantic_manifest.json, here the one of this build."""
    build_warehouse(raw, work, select=[
        "+fct_orders", "+web_funnel_monthly", "+metricflow_time_spine", *extra_models])
    project = work / "project"
    (project / "target").mkdir(parents=True)
    (project / "dbt_project.yml").symlink_to(REPO_ROOT / "dbt_project.yml")
    shutil.copy(SHARED_TARGET / "semantic_manifest.json", project / "target")
    return work, project


def mf_query(raw, work, project, metrics) -> dict[str, dict]:
    """`mf query` of the metrics by month, as {'YYYY-MM': {metric: value or None}}."""
    out = work / "kpis.csv"
    result = subprocess.run(
        [str(MF), "query", "--metrics", ",".join(metrics), "--group-by", "metric_time__month",
         "--order", "metric_time__month", "--csv", str(out)],
        env=dict(dbt_env(raw, work), DBT_PROJECT_DIR=str(project)), cwd=project,
        capture_output=True, text=True, timeout=300)
    assert result.returncode == 0 and out.exists(), result.stdout[-3000:] + result.stderr[-3000:]
    with open(out) as rows:
        return {row["metric_time__month"][:7]: {k: float(row[k]) if row[k] else None
                                                for k in metrics}
                for row in csv.DictReader(rows)}


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    return semantic_build(TINY_SHOP, tmp_path_factory.mktemp("semantic"))


def test_every_kpi_is_one_described_metric(built):
    # dbt parse (part of the build) already validated the semantic models and metrics: it
    # stops on an unknown measure or metric.
    _, project = built
    semantic = json.loads((project / "target" / "semantic_manifest.json").read_text())
    metrics = {metric["name"]: metric for metric in semantic["metrics"]}
    for kpi in KPIS:
        assert metrics[kpi]["description"].strip(), kpi


def test_mf_query_matches_the_hand_worked_months(built):
    work, project = built
    got = mf_query(TINY_SHOP, work, project, KPIS)
    assert got.keys() == HAND_WORKED.keys()
    for month, expected in HAND_WORKED.items():
        for kpi, value in expected.items():
            assert got[month][kpi] == (None if value is None else pytest.approx(value)), \
                (month, kpi, got[month][kpi])


def test_mf_metrics_equal_kpi_monthly_on_a_demo_shop(tmp_path):
    raw = tmp_path / "raw"
    generate(raw, customers=120, seed=5, progress=False)
    work = tmp_path / "build"
    work.mkdir()
    work, project = semantic_build(raw, work, "+kpi_monthly")
    metrics = ["revenue", "net_revenue", "orders", "customers", "new_customers"]
    got = mf_query(raw, work, project, metrics)
    with schemas.connect(work / "warehouse.duckdb") as con:
        mart = {month: dict(zip(metrics, values, strict=True)) for month, *values in con.sql(
            "select strftime(month_start_date, '%Y-%m'), gross_revenue, net_revenue, orders,"
            " customers, new_customers from kpi_monthly").fetchall()}
    assert len(mart) >= 12 and sum(row["orders"] for row in mart.values()) > 100
    # kpi_monthly has a row for every month, mf only for months with orders
    assert {m for m, row in mart.items() if row["orders"] or row["net_revenue"]} == got.keys()
    for month, values in got.items():
        for metric in metrics:
            assert values[metric] == pytest.approx(float(mart[month][metric]), abs=0.005), \
                (month, metric)
