"""The API's customer, prediction and basket answers on a generated demo shop (300 customers,
seed 11: enough for the churn and CLV models to score every customer and for product
bundles), each checked against the marts by a query of its own. The hand-worked figures
are in test_api.py (tiny shop)."""

from __future__ import annotations

import os

import pytest
from fastapi.testclient import TestClient

from ecommerce_warehouse import schemas
from ecommerce_warehouse.demo_shop import generate

from dbt_runner import build_warehouse

pytestmark = pytest.mark.dbt


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    """(TestClient on the API, read-only connection to the same warehouse)."""
    raw = tmp_path_factory.mktemp("api_demo_raw")
    generate(raw, customers=300, seed=11, progress=False)
    path = build_warehouse(raw, tmp_path_factory.mktemp("api_demo_build"))
    saved = os.environ.get("DBT_DUCKDB_PATH")
    os.environ["DBT_DUCKDB_PATH"] = str(path)
    from ecommerce_warehouse.api import app
    with schemas.connect(path) as con:
        yield TestClient(app), con
    if saved is None:
        os.environ.pop("DBT_DUCKDB_PATH")
    else:
        os.environ["DBT_DUCKDB_PATH"] = saved


def get(client, url):
    response = client.get(url)
    assert response.status_code == 200, response.text
    return response.json()


def test_profile_of_the_customer_most_likely_to_churn(demo):
    client, con = demo
    customer, probability, cluster, value_class, clv = con.sql("""
        select p.customer_id, p.churn_probability, s.cluster_label, v.predicted_value_class,
               b.clv
        from churn_predictions p
        join customer_segments s using (customer_id)
        join clv_predictions v using (customer_id)
        join clv_bgnbd b using (customer_id)
        order by p.churn_probability desc, p.customer_id limit 1""").fetchone()
    body = get(client, f"/customers/{customer}")
    assert body["churn"]["churn_probability"] == pytest.approx(probability)
    assert body["segment"]["cluster_label"] == cluster
    assert body["clv"]["predicted_value_class"] == value_class
    assert body["clv_bgnbd"]["clv"] == pytest.approx(clv)


def test_best_customers_are_the_highest_net_revenue(demo):
    client, con = demo
    expected = con.sql("""
        select customer_id from dim_customers where order_count > 0
        order by lifetime_net_amount desc, customer_id limit 10""").fetchall()
    body = get(client, "/customers/best")
    assert [(r["customer_id"],) for r in body["items"]] == expected


def test_slipping_away_are_good_customers_gone_quiet(demo):
    client, con = demo
    expected = con.sql("""
        select customer_id from customer_rfm
        where rfm_segment in ('Cannot lose them', 'At risk', 'About to sleep')
        order by monetary desc, customer_id""").fetchall()
    assert len(expected) > 10  # 35 on this shop: a real list, and more than one page
    body = get(client, "/customers/slipping-away?limit=10&offset=10")
    assert body["total"] == len(expected)
    assert [(r["customer_id"],) for r in body["items"]] == expected[10:20]
    # every customer with a purchase is scored by the churn model on this shop
    assert all(r["churn_probability"] is not None for r in body["items"])


def test_customer_pages_cover_every_customer_once(demo):
    client, con = demo
    (customers,) = con.sql("select count(*) from customer_rfm").fetchone()
    seen = []
    for offset in range(0, customers, 50):
        seen += [r["customer_id"] for r in get(client, f"/customers?limit=50&offset={offset}")
                 ["items"]]
    assert len(seen) == len(set(seen)) == customers


def test_customer_filters(demo):
    client, con = demo
    country, segment, n = con.sql("""
        select c.country, r.rfm_segment, count(*) from customer_rfm r
        join dim_customers c using (customer_id) group by all order by 3 desc, 1, 2 limit 1
        """).fetchone()
    body = get(client, f"/customers?country={country}&rfm_segment={segment}&limit=1000")
    assert body["total"] == len(body["items"]) == n
    assert {(r["country"], r["rfm_segment"]) for r in body["items"]} == {(country, segment)}


def test_what_sells_together(demo):
    client, con = demo
    expected = con.sql("""
        select bundle_key, lift from product_bundles where is_maximal order by bundle_rank
        limit 10""").fetchall()
    assert expected  # the demo shop plants bundles
    body = get(client, "/bundles")
    assert [(r["bundle_key"], pytest.approx(r["lift"])) for r in body["items"]] == expected
    product, recommended = con.sql("""
        select product_id, recommended_product_id from cross_sell_recommendations
        where recommendation_rank = 1 order by lift desc, product_id limit 1""").fetchone()
    top = get(client, f"/products/{product}/recommendations?limit=1")["items"]
    assert [r["recommended_product_id"] for r in top] == [recommended]
