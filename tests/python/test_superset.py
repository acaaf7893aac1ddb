"""The shipped Superset dashboards (superset/, `make dashboards`) on the tiny shop (figures
worked out by hand in test_tiny_shop.py): loaded into a throw-away Superset, served on the
loopback, asked for the monthly revenue through Superset's chart-data API, and rendered in
headless Chromium. Skips if .venv-superset is absent (`make venv-superset`; `make test`
installs it)."""

from __future__ import annotations

import json
import re
import secrets
import shutil
import subprocess
import time

import duckdb
import httpx
import pytest
from test_report import CHROMIUM_FLAGS

from dbt_runner import REPO_ROOT, publish, publish_env
from live_server import free_port, running

pytestmark = pytest.mark.dbt
SUPERSET_PYTHON = REPO_ROOT / ".venv-superset" / "bin" / "python"
TINY_SHOP = REPO_ROOT / "tests" / "python" / "fixtures" / "tiny_shop"
MARTS = ["kpi_monthly", "kpi_monthly_by_category", "cohort_retention", "segment_summary"]

if not SUPERSET_PYTHON.exists():
    pytest.skip("no .venv-superset: `make venv-superset` installs Superset (make test does)",
                allow_module_level=True)


def readme_superset_block() -> dict:
    """The SQLAlchemy URI and engine parameters that the README's BI guide tells users."""
    readme = (REPO_ROOT / "README.md").read_text()
    uri = re.search(r"SQLAlchemy URI: `([^`]+)`", readme).group(1)
    params = re.search(r"Engine parameters: `([^`]+)`", readme).group(1)
    return {"uri": uri, "engine_params": json.loads(params)}


def loader_constants() -> dict:
    code = ("import json, load_dashboards as l; "
            "print(json.dumps({'uri': l.SQLALCHEMY_URI, 'engine_params': l.ENGINE_PARAMS}))")
    out = subprocess.run([str(SUPERSET_PYTHON), "-c", code], cwd=REPO_ROOT / "superset",
                         capture_output=True, text=True, check=True, timeout=120).stdout
    return json.loads(out)


@pytest.fixture(scope="module")
def superset(tmp_path_factory):
    """(base URL, authenticated httpx client, warehouse path) of a Superset on a free loopback
    port with the dashboards loaded; stopped at the end."""
    work = tmp_path_factory.mktemp("superset")
    # published as `make build` does: Superset reads the serving file (views over the exports)
    published = publish(TINY_SHOP, work, "--indirect-selection", "cautious",
                        "--select", *[f"+{m}" for m in MARTS])
    assert published.returncode == 0, published.stdout[-4000:] + published.stderr[-2000:]
    build_env = publish_env(TINY_SHOP, work)
    warehouse = work / "exports" / "serving.duckdb"
    home = work / "superset_home"
    password = secrets.token_urlsafe(16)
    env = {**build_env, "SUPERSET_HOME": str(home),
           "SUPERSET_ADMIN_PASSWORD": password, "SUPERSET_PUBLIC_ROLE_LIKE": "Alpha",
           "SUPERSET_CONFIG_PATH": str(REPO_ROOT / "superset" / "superset_config.py"),
           "FLASK_APP": "superset"}
    started = time.monotonic()
    load = subprocess.run([str(SUPERSET_PYTHON), str(REPO_ROOT / "superset" /
                                                     "load_dashboards.py")],
                          env=env, capture_output=True, text=True, timeout=900)
    assert load.returncode == 0, load.stdout[-3000:] + load.stderr[-3000:]
    print(f"make dashboards (first load): {time.monotonic() - started:.0f} s")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    command = [str(SUPERSET_PYTHON.parent / "superset"), "run", "-h", "127.0.0.1", "-p",
               str(port), "--with-threads"]
    with running(command, env, f"{base}/health", work / "superset.log", startup_timeout=180):
        with httpx.Client(base_url=base, timeout=120) as client:
            token = client.post("/api/v1/security/login", json={
                "username": "admin", "password": password, "provider": "db"}
            ).json()["access_token"]
            client.headers["Authorization"] = f"Bearer {token}"
            yield base, client, warehouse


def listing(client, resource):
    response = client.get(f"/api/v1/{resource}/", params={"q": json.dumps({"page_size": 100})})
    response.raise_for_status()
    return response.json()["result"]


def test_the_readme_tells_the_connection_the_dashboards_use():
    assert readme_superset_block() == loader_constants()


def test_database_is_the_warehouse_read_only(superset):
    _, client, warehouse = superset
    (database,) = listing(client, "database")
    connection = client.get(f"/api/v1/database/{database['id']}/connection").json()["result"]
    expected = loader_constants()
    assert connection["sqlalchemy_uri"] == expected["uri"].format(path=warehouse)
    assert json.loads(connection["extra"])["engine_params"] == expected["engine_params"]


def test_three_dashboards_with_their_charts(superset):
    _, client, _ = superset
    dashboards = {d["slug"]: d["id"] for d in listing(client, "dashboard")}
    assert sorted(dashboards) == ["cohorts", "kpis", "segments"]
    charts = client.get(f"/api/v1/dashboard/{dashboards['kpis']}/charts").json()["result"]
    assert "Monthly net revenue" in {c["slice_name"] for c in charts}


def test_monthly_revenue_through_the_chart_data_api(superset):
    _, client, warehouse = superset
    (chart,) = [c for c in listing(client, "chart") if c["slice_name"] == "Monthly net revenue"]
    params = json.loads(client.get(f"/api/v1/chart/{chart['id']}").json()["result"]["params"])
    dataset_id = int(params["datasource"].split("__")[0])
    response = client.post("/api/v1/chart/data", json={
        "datasource": {"id": dataset_id, "type": "table"}, "force": True,
        "form_data": params, "result_format": "json", "result_type": "full",
        "queries": [{"columns": [{"columnType": "BASE_AXIS", "expressionType": "SQL",
                                  "sqlExpression": "month_start_date",
                                  "label": "month_start_date", "timeGrain": "P1M"}],
                     "metrics": params["metrics"], "orderby": [["month_start_date", True]],
                     "row_limit": 1000}]})
    assert response.status_code == 200, response.text
    (result,) = response.json()["result"]
    got = [row["SUM(net_revenue)"] for row in result["data"]]
    # March: O1 38 + O2 20 - return R1 20 = 38; April: O3 20; May: O8 5.
    assert got == [38.0, 20.0, 5.0]
    with duckdb.connect(str(warehouse), read_only=True) as con:
        assert got == [r for (r,) in con.sql(
            "select net_revenue from marts.kpi_monthly order by month_start_date").fetchall()]


def test_kpi_dashboard_renders_in_headless_chromium(superset, tmp_path):
    chromium = shutil.which("chromium")
    if chromium is None:
        pytest.skip("chromium not installed: `make browser` installs Debian's (apt-get)")
    base, _, _ = superset
    url = f"{base}/superset/dashboard/kpis/?standalone=1"
    common = [chromium, *CHROMIUM_FLAGS, f"--user-data-dir={tmp_path / 'profile'}",
              "--window-size=1400,1000", "--virtual-time-budget=60000"]
    dom = subprocess.run([*common, "--dump-dom", url], capture_output=True, text=True,
                         timeout=240, check=True).stdout
    for title in ("Total net revenue", "Monthly net revenue", "Orders per month"):
        assert title in dom, title
    # The big number, rendered from the chart's data: 38 + 20 + 5 net revenue over the months.
    assert re.search(r'class="header-line"[^>]*>63<', dom)
    screenshot = tmp_path / "kpis.png"
    subprocess.run([*common, f"--screenshot={screenshot}", url], capture_output=True,
                   timeout=240, check=True)
    assert screenshot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert screenshot.stat().st_size > 20_000  # a rendered page, not a blank one
