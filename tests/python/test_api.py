"""The read-only API (ecommerce_warehouse/api.py) on the tiny shop, published like `make build`
does (tests/python/fixtures/tiny_shop; its figures are worked out by hand in
test_tiny_shop.py), through FastAPI's TestClient; and live: uvicorn on the loopback answering
a loop of concurrent requests while a new build is published.

The live test comes last: it adds an order to the module's copy of the raw files."""

from __future__ import annotations

import json
import logging
import os
import re
import sys
import threading

import httpx
import pytest
from fastapi.testclient import TestClient

from dbt_runner import REPO_ROOT, publish, published_copy
from live_server import free_port, running

pytestmark = pytest.mark.dbt
TINY_SHOP = REPO_ROOT / "tests" / "python" / "fixtures" / "tiny_shop"
# The new order of the live test: C2 buys 3 x P1 at 10.00 on 2024-05-01, net 30.00.
NEW_ORDER = "O9,1,2024-05-01 09:00:00,C2,P1,3,10.00,0,,\n"


@pytest.fixture(scope="module")
def shop(tmp_path_factory):
    """(raw folder, work folder holding the published warehouse.duckdb)."""
    return published_copy(TINY_SHOP, tmp_path_factory)


@pytest.fixture(scope="module")
def client(shop):
    _, work = shop
    saved = os.environ.get("DBT_DUCKDB_PATH")
    os.environ["DBT_DUCKDB_PATH"] = str(work / "warehouse.duckdb")
    from ecommerce_warehouse.api import app
    yield TestClient(app)
    if saved is None:
        os.environ.pop("DBT_DUCKDB_PATH")
    else:
        os.environ["DBT_DUCKDB_PATH"] = saved


def get(client, url, status=200):
    response = client.get(url)
    assert response.status_code == status, response.text
    return response.json()


def test_monthly_kpis(client):
    # March: O1 (C1: 2 x 10 less 10 % + 20 = 38), O2 (guest: 4 x 5 = 20), return R1 (-20):
    # gross 60, discount 2, returns 20, net 38, 2 orders. April: O3 (C2) 20. May: O8 (C1) 5.
    body = get(client, "/kpis?period=month")
    assert body["total"] == 3
    assert [(r["month_start_date"][:10], r["gross_revenue"], r["discount_amount"],
             r["returns_amount"], r["net_revenue"], r["orders"]) for r in body["items"]] == [
        ("2024-03-01", 60.0, 2.0, 20.0, 38.0, 2), ("2024-04-01", 20.0, 0.0, 0.0, 20.0, 1),
        ("2024-05-01", 5.0, 0.0, 0.0, 5.0, 1)]


def test_daily_kpis_are_paginated_and_filtered(client):
    # One row per day from the first order (2024-03-05) to the last (2024-05-01):
    # 27 March days + 30 April days + 1 = 58. Offset 1: 03-06 (O2, 20.00), then 03-07 (none).
    body = get(client, "/kpis?period=day&limit=2&offset=1")
    assert (body["total"], body["limit"], body["offset"]) == (58, 2, 1)
    assert [(r["date_day"][:10], r["net_revenue"]) for r in body["items"]] == [
        ("2024-03-06", 20.0), ("2024-03-07", 0.0)]
    # start/end: the ISO weeks starting 2024-04-01 (O3, 20.00) and 2024-04-29 (O8, 5.00)
    body = get(client, "/kpis?period=week&start=2024-04-01&end=2024-04-29")
    assert [(r["week_start_date"][:10], r["net_revenue"]) for r in body["items"]] == [
        ("2024-04-01", 20.0), ("2024-04-08", 0.0), ("2024-04-15", 0.0), ("2024-04-22", 0.0),
        ("2024-04-29", 5.0)]


def test_kpis_by_dimension(client):
    # Every month x category / country. Decor (P3): O1 20 and R1 -20 in March, O3 20 in April,
    # nothing in May; the guest order O2 (20.00, March) has country Guest.
    body = get(client, "/kpis?dimension=category&value=Decor")
    assert [(r["month_start_date"][:10], r["net_revenue"]) for r in body["items"]] == [
        ("2024-03-01", 0.0), ("2024-04-01", 20.0), ("2024-05-01", 0.0)]
    body = get(client, "/kpis?dimension=country&value=Guest")
    assert [(r["month_start_date"][:10], r["net_revenue"]) for r in body["items"]] == [
        ("2024-03-01", 20.0), ("2024-04-01", 0.0), ("2024-05-01", 0.0)]


def test_cohorts(client):
    # C1's cohort (March 2024, one customer): active in March (O1 38.00 less the return R1
    # 20.00 = 18.00) and May (O8 5.00), not in April.
    body = get(client, "/cohorts?cohort_month=2024-03-01")
    assert [(r["months_since_first_order"], r["cohort_customers"], r["active_customers"],
             r["net_revenue"]) for r in body["items"]] == [(0, 1, 1, 18.0), (1, 1, 0, 0.0),
                                                           (2, 1, 1, 5.0)]


def test_customer_profile(client):
    body = get(client, "/customers/C1")
    assert body["profile"]["lifetime_net_amount"] == pytest.approx(23.0)  # 18 + 20 - 20 + 5
    assert (body["rfm"]["rfm_code"], body["rfm"]["rfm_segment"]) == ("333", "Needs attention")
    assert body["segment"]["cluster_label"] == "all customers"
    # Three customers are too few to train the prediction models: not scored, null.
    assert body["churn"] is None and body["clv"] is None and body["next_purchase"] is None


def test_best_customers(client):
    body = get(client, "/customers/best")
    assert [(r["customer_id"], r["monetary"]) for r in body["items"]] == [("C1", 23.0),
                                                                         ("C2", 20.0)]


def test_cross_sell_and_bundles(client):
    # Baskets O1 {P1, P3}, O2 {P2}, O3 {P3}, O8 {P2}: P1 -> P3 in 1 of 1 basket holding P1
    # (confidence 1), support 1/4, lift 1 / (2/4) = 2.
    (row,) = get(client, "/products/P1/recommendations")["items"]
    assert (row["recommended_product_id"], row["confidence"], row["support"], row["lift"]) == (
        "P3", 1.0, 0.25, 2.0)
    (bundle,) = get(client, "/bundles")["items"]
    assert (bundle["product_ids"], bundle["basket_count"]) == (["P1", "P3"], 1)


def test_unknown_ids_are_404(client):
    assert "no customer 'C404'" in get(client, "/customers/C404", 404)["detail"]
    assert "no product 'P404'" in get(client, "/products/P404/recommendations", 404)["detail"]


@pytest.mark.parametrize("url, parameter", [
    ("/kpis?period=year", "period"),
    ("/kpis?limit=1001", "limit"),
    ("/kpis?offset=-1", "offset"),
    ("/kpis?start=2024-13-01", "start"),
    ("/kpis?period=day&dimension=country", "dimension"),
    ("/kpis?dimension=colour", "dimension"),
    ("/kpis?value=Decor", "value"),
    ("/cohorts?cohort_month=march", "cohort_month"),
])
def test_bad_parameters_are_422_naming_the_parameter(client, url, parameter):
    detail = get(client, url, 422)["detail"]
    assert [error["loc"] for error in detail] == [["query", parameter]]


def test_no_warehouse_yet_is_503_saying_what_to_do(monkeypatch, tmp_path):
    from ecommerce_warehouse.api import app
    monkeypatch.setenv("DBT_DUCKDB_PATH", str(tmp_path / "none.duckdb"))
    response = TestClient(app).get("/kpis")
    assert response.status_code == 503
    assert "none.duckdb: run `make build`" in response.json()["detail"]


def test_get_only(client):
    assert client.post("/kpis").status_code == 405
    assert client.delete("/customers/C1").status_code == 405
    paths = client.get("/openapi.json").json()["paths"]
    assert {"/kpis", "/cohorts", "/customers/{customer_id}", "/bundles",
            "/products/{product_id}/recommendations"} <= set(paths)
    assert {method for operations in paths.values() for method in operations} == {"get"}


def test_optional_api_key(client, monkeypatch):
    monkeypatch.setenv("WAREHOUSE_API_KEY", "s3cret")
    assert client.get("/kpis").status_code == 401
    assert client.get("/kpis", headers={"X-API-Key": "wrong"}).status_code == 401
    assert client.get("/kpis", headers={"X-API-Key": "s3cret"}).status_code == 200
    assert client.get("/health").status_code == 200


def test_one_json_log_line_per_request(client, caplog):
    with caplog.at_level(logging.INFO, logger="warehouse_api"):
        client.get("/kpis?period=week&limit=1")
        client.get("/customers/C404")
    lines = [json.loads(r.getMessage()) for r in caplog.records if r.name == "warehouse_api"]
    assert [(ln["method"], ln["path"], ln["query"], ln["status"]) for ln in lines] == [
        ("GET", "/kpis", "period=week&limit=1", 200), ("GET", "/customers/C404", "", 404)]
    assert all(ln["duration_ms"] >= 0 for ln in lines)


def test_the_readmes_curl_lines_answer(client):
    readme = (REPO_ROOT / "README.md").read_text()
    section = readme[readme.index("## Serving the warehouse"):]
    urls = re.findall(r'^curl -s "?http://127\.0\.0\.1:8000(/[^"\s]*)"?', section, flags=re.M)
    assert urls[:3] == ["/customers/best", "/customers/slipping-away", "/bundles"]
    assert len(urls) >= 10  # the seed questions, then one line per endpoint
    for url in urls:
        assert client.get(url).status_code == 200, url


# --- live: uvicorn on the loopback during a publish ---

@pytest.fixture
def server(shop, tmp_path):
    """`python -m ecommerce_warehouse.api` (what `make serve` runs) on a free loopback port;
    (base URL, file of its log lines)."""
    _, work = shop
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {**os.environ, "DBT_DUCKDB_PATH": str(work / "warehouse.duckdb"),
           "API_HOST": "127.0.0.1", "API_PORT": str(port)}
    log_file = tmp_path / "api.log"
    with running([sys.executable, "-m", "ecommerce_warehouse.api"], env, f"{base}/health",
                 log_file, startup_timeout=60):
        yield base, log_file


def may_net_revenue(http: httpx.Client, base: str) -> float:
    (may,) = http.get(f"{base}/kpis?period=month&start=2024-05-01").raise_for_status()\
        .json()["items"]
    return may["net_revenue"]


def test_live_server_keeps_answering_while_a_build_is_published(shop, server):
    raw, work = shop
    base, log_file = server
    with open(raw / "order_lines.csv", "a") as lines:
        lines.write(NEW_ORDER)
    answers, failures = [], []
    stop = threading.Event()

    def hammer():
        with httpx.Client(timeout=30) as http:
            while not stop.is_set():
                try:
                    answers.append(may_net_revenue(http, base))
                except Exception as error:  # counted, not raised: every failure is reported
                    failures.append(repr(error))

    workers = [threading.Thread(target=hammer) for _ in range(4)]
    for worker in workers:
        worker.start()
    try:
        # kpi_monthly and what it needs (with the tests of only those) rebuilt into a copy
        # and swapped in.
        result = publish(raw, work, "--indirect-selection", "cautious", "--select",
                         "+kpi_monthly")
    finally:
        stop.set()
        for worker in workers:
            worker.join(timeout=60)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert failures == []
    assert len(answers) > 20
    print(f"{len(answers)} requests during the publish, {len(failures)} failed, "
          f"{answers.count(5.0)} old / {answers.count(35.0)} new")
    # May: O8 5.00 before; with O9 (3 x 10.00) 35.00 after. Only those, and the new one last.
    assert set(answers) <= {5.0, 35.0} and 5.0 in answers
    with httpx.Client() as http:
        assert may_net_revenue(http, base) == 35.0
    # every request was logged as one JSON line, each with status 200
    logged = [json.loads(line) for line in log_file.read_text().splitlines()
              if line.startswith("{")]
    kpi_requests = [line for line in logged if line["path"] == "/kpis"]
    assert len(kpi_requests) == len(answers) + 1
    assert {line["status"] for line in kpi_requests} == {200}
