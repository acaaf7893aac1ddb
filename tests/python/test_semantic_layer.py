"""The semantic layer (models/semantic): MetricFlow's `mf query` on the tiny shop returns the
figures worked out by hand (tests/python/fixtures/tiny_shop, line amounts in test_tiny_shop.py).

Orders by month: March O1 (C1's first: gross 40, net 38 after the 10 % coupon on 20), O2 (a
guest: 20) and the return R1 (net -20); April O3 (C2's first: 20); May O8 (C1's second: 5).
Web sessions: S1 (purchase) and S2 (none), both in March."""

import csv
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

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


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """The tiny shop's orders, web funnel and time spine, and a folder mf reads as the project:
    mf takes <project>/target/semantic_manifest.json, here the one of this build."""
    work = tmp_path_factory.mktemp("semantic")
    build_warehouse(TINY_SHOP, work, select=[
        "+fct_orders", "+web_funnel_monthly", "+metricflow_time_spine"])
    project = work / "project"
    (project / "target").mkdir(parents=True)
    (project / "dbt_project.yml").symlink_to(REPO_ROOT / "dbt_project.yml")
    shutil.copy(SHARED_TARGET / "semantic_manifest.json", project / "target")
    return work, project


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
    out = work / "kpis.csv"
    result = subprocess.run(
        [str(MF), "query", "--metrics", ",".join(KPIS), "--group-by", "metric_time__month",
         "--order", "metric_time__month", "--csv", str(out)],
        env=dict(dbt_env(TINY_SHOP, work), DBT_PROJECT_DIR=str(project)), cwd=project,
        capture_output=True, text=True, timeout=300)
    assert result.returncode == 0 and out.exists(), result.stdout[-3000:] + result.stderr[-3000:]
    with open(out) as rows:
        got = {row["metric_time__month"][:7]: {k: float(row[k]) if row[k] else None for k in KPIS}
               for row in csv.DictReader(rows)}
    assert got.keys() == HAND_WORKED.keys()
    for month, expected in HAND_WORKED.items():
        for kpi, value in expected.items():
            assert got[month][kpi] == (None if value is None else pytest.approx(value)), \
                (month, kpi, got[month][kpi])
