"""Customer segmentation marts (models/marts/customers, python_models/segments) built
with dbt on a generated demo shop, checked against the generator's planted truth
(`_truth/customers_truth.csv`). The hand-worked tiny shop's segmentation figures are checked
in test_tiny_shop.py (its full build includes these marts).

Only the segmentation marts, their parents and their tests are built (one module-scoped
build), to keep the time down."""

import csv

import pytest
from sklearn.metrics import adjusted_rand_score

from ecommerce_warehouse import schemas
from ecommerce_warehouse.demo_shop import generate

from dbt_runner import SHARED_TARGET, build_warehouse, rows

pytestmark = pytest.mark.dbt
SELECTION = [
    "+models/marts/customers+", "+customer_segment_model+", "+customer_segment_loadings+",
    "+model_metrics",  # a descendant of the customer marts: its other parents (kpi_daily) too
]


def build(raw, work):
    path = build_warehouse(raw, work, select=SELECTION)
    return schemas.connect(path)


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    raw = tmp_path_factory.mktemp("segmentation_raw")
    generate(raw, customers=1500, seed=2024, progress=False)
    with build(raw, tmp_path_factory.mktemp("segmentation_build")) as con:
        with open(raw / "_truth" / "customers_truth.csv", newline="") as handle:
            truth = {row["customer_id"]: row["archetype"] for row in csv.DictReader(handle)}
        yield con, truth



def test_every_buyer_has_one_rfm_row_and_one_cluster(demo):
    con, _ = demo
    buyers = {r[0] for r in rows(con, """
        select distinct customer_id from fct_orders
        where customer_id is not null and not is_return""")}
    assert len(buyers) > 900
    for table in ("customer_features", "customer_rfm", "customer_segments"):
        ids = [r[0] for r in rows(con, f"select customer_id from {table}")]
        assert len(ids) == len(set(ids)) and set(ids) == buyers, table


def test_single_purchase_customers_score_f1(demo):
    con, _ = demo
    singles = rows(con, """
        with counts as (
            select customer_id, count(*) as purchases from fct_orders
            where customer_id is not null and not is_return group by 1)
        select distinct f_score from customer_rfm join counts using (customer_id)
        where purchases = 1""")
    assert singles == [(1,)]


def test_champions_carry_a_much_larger_revenue_share_than_customer_share(demo):
    con, _ = demo
    # revenue from the orders, not from the segmentation tables
    customers, revenue = rows(con, """
        with revenue as (
            select customer_id, sum(net_amount) as net from fct_orders
            where customer_id is not null group by 1)
        select
            avg(case when rfm.rfm_segment = 'Champions' then 1.0 else 0 end),
            sum(case when rfm.rfm_segment = 'Champions' then revenue.net else 0 end)
                / sum(revenue.net)
        from customer_rfm as rfm join revenue using (customer_id)""")[0]
    assert 0.03 < customers < 0.3
    assert revenue > 2 * customers
    summary = rows(con, """select customer_share, revenue_share from segment_summary
                           where segment_type = 'rfm_segment' and segment = 'Champions'""")
    assert summary[0] == pytest.approx((customers, revenue))


def test_kmeans_recovers_the_planted_archetypes(demo):
    con, truth = demo
    assigned = rows(con, "select customer_id, cluster_id, cluster_label from customer_segments")
    archetypes = [truth[customer] for customer, _, _ in assigned]
    clusters = [cluster for _, cluster, _ in assigned]
    ari = adjusted_rand_score(archetypes, clusters)
    print(f"adjusted Rand index vs planted archetypes: {ari:.3f}")
    # Measured: 0.67 on this shop (k = 4, silhouette 0.47), 0.61 on 2,000 customers seed 42
    # (k = 5), 0.66 on 10,000 seed 7 (k = 4). Loyal high-value, regular, bargain hunter and
    # one-off customers get their own clusters; the churning archetype (a burst of orders,
    # then gone) splits between "mid-value" and the one-time / newly acquired cluster, since
    # recency and tenure are not clustered on (see segmentation.CLUSTER_FEATURES).
    assert ari >= 0.5

    def members(archetype, where):
        inside = [a for (_, c, label), a in zip(assigned, archetypes, strict=True)
                  if where(c, label)]
        total = archetypes.count(archetype)
        return inside.count(archetype) / total, inside.count(archetype) / max(len(inside), 1)

    # Bargain hunters (coupon on 90 % of orders) form their own coupon-driven cluster ...
    recall, precision = members("bargain_hunter", lambda c, label: "coupon-driven" in label)
    assert recall >= 0.5 and precision >= 0.5
    # ... and the loyal high-value customers sit in the most valuable cluster (cluster 1).
    recall, _ = members("loyal_high_value", lambda c, label: c == 1)
    assert recall >= 0.7


def test_loadings_are_exported_as_csv(demo):
    con, _ = demo
    with open(SHARED_TARGET / "customer_segment_loadings.csv", newline="") as handle:
        exported = list(csv.DictReader(handle))
    assert len(exported) == rows(con, "select count(*) from customer_segment_loadings")[0][0]
    assert {row["feature"] for row in exported} == {
        "frequency", "monetary", "average_order_value", "coupon_order_share"}
