"""Market-basket marts (python_models/basket/basket_rules.py, models/marts/basket) and the
retention experiment marts (models/marts/experiments, python_models/experiments/
experiment_power.py) built with dbt on a generated demo shop of 5,000 customers (seed 2024:
about 21,000 orders and 592 + 592 customers in the retention experiment, enough for a 95%
interval of about ±0.04 around the uplift), checked against the generator's planted truth
(`_truth/manifest.json`) and against plain mlxtend; and on the hand-made tiny shop, which has no
rule.

Only these marts, their parents and their tests are built (one module-scoped build per shop)."""

import json
import math
from pathlib import Path

import pytest
from scipy.stats import norm
from test_basket import assert_same_rules, mlxtend_reference

from ecommerce_warehouse import schemas
from ecommerce_warehouse.demo_shop import generate

from dbt_runner import build_warehouse

pytestmark = pytest.mark.dbt
SELECTION = ["+basket_rules+", "+retention_experiment+", "+experiment_power"]
TINY_SHOP = Path(__file__).parent / "fixtures" / "tiny_shop"
# the defaults of dbt_project.yml for the demo source
MIN_SUPPORT, MIN_CONFIDENCE, MIN_LIFT, MAX_LEN = 0.002, 0.1, 2.0, 3


def build(raw, work):
    path = build_warehouse(raw, work, select=SELECTION)
    return schemas.connect(path)


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    raw = tmp_path_factory.mktemp("basket_raw")
    generate(raw, customers=5000, seed=2024, progress=False)
    manifest = json.loads((raw / "_truth" / "manifest.json").read_text())
    with build(raw, tmp_path_factory.mktemp("basket_build")) as con:
        yield con, manifest


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    with build(TINY_SHOP, tmp_path_factory.mktemp("basket_tiny")) as con:
        yield con


def test_basket_rules_are_plain_mlxtend_on_all_orders(demo):
    con, _ = demo
    pairs = con.sql("""
        select distinct order_id as basket_id, product_id as item_id from fct_order_lines
        where not is_return and is_merchandise""").df()
    n_baskets = pairs["basket_id"].nunique()
    assert n_baskets > 15000
    rules = con.sql("select * from basket_rules").df()
    assert (rules["total_baskets"] == n_baskets).all()
    assert 20 <= len(rules) <= 1000          # a useful, not huge, rule set
    assert_same_rules(rules, mlxtend_reference(pairs, n_baskets, MIN_SUPPORT, MIN_CONFIDENCE,
                                               MIN_LIFT, MAX_LEN))


def test_planted_bundles_are_the_top_bundles(demo):
    con, manifest = demo
    planted = {"|".join(sorted(b["products"])) for b in manifest["bundles"]}
    assert len(planted) == 5
    bundles = con.sql("""
        select bundle_key, lift from product_bundles where is_maximal order by bundle_rank
        """).fetchall()
    assert {key for key, _ in bundles[:len(planted)]} == planted
    # and every planted bundle's rules are strong: bought together > 10x more than by chance
    lifts = dict(con.sql("""
        select array_to_string(list_sort(list_concat(antecedents, consequents)), '|'),
               min(lift)
        from basket_rules group by 1""").fetchall())
    assert all(lifts[key] > 10 for key in planted)


def test_cross_sell_recommends_the_bundle_partner_first(demo):
    con, manifest = demo
    first = dict(con.sql("""
        select product_id, recommended_product_id from cross_sell_recommendations
        where recommendation_rank = 1""").fetchall())
    for bundle in manifest["bundles"]:
        if len(bundle["products"]) == 2:
            a, b = bundle["products"]
            assert first[a] == b and first[b] == a


def test_retention_experiment_finds_the_planted_uplift(demo):
    con, manifest = demo
    truth = manifest["retention_experiment"]
    row = con.sql("select * from retention_experiment").df().iloc[0]
    assert row["analysis_status"].startswith("analysed")
    assert (row["treatment_customers"], row["control_customers"]) == \
        (truth["n_treatment"], truth["n_control"])
    # the generator's own count of buyers in the window
    assert row["treatment_retention_rate"] == pytest.approx(truth["observed_rate_treatment"],
                                                            abs=1e-6)
    assert row["control_retention_rate"] == pytest.approx(truth["observed_rate_control"],
                                                          abs=1e-6)
    # the 95% interval holds the planted uplift and excludes zero
    assert row["uplift_ci_lower"] < truth["true_uplift"] < row["uplift_ci_upper"]
    assert row["uplift_ci_lower"] > 0
    # interval and p-value recomputed from the generator's counts with scipy
    p1, n1 = truth["observed_rate_treatment"], truth["n_treatment"]
    p0, n0 = truth["observed_rate_control"], truth["n_control"]
    se = math.sqrt(p1 * (1 - p1) / n1 + p0 * (1 - p0) / n0)
    assert row["uplift_ci_upper"] == pytest.approx(p1 - p0 + norm.ppf(0.975) * se, abs=1e-5)
    pooled = (p1 * n1 + p0 * n0) / (n1 + n0)
    z = (p1 - p0) / math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n0))
    assert row["p_value"] == pytest.approx(2 * norm.sf(abs(z)), rel=1e-4, abs=1e-7)
    assert row["offer_discount_cost"] > 0


def test_experiment_power_default(demo):
    con, _ = demo
    assert con.sql("select customers_per_arm from experiment_power").fetchall() == [(447,)]


def test_tiny_shop_rules_by_hand(tiny):
    # clean orders (returns left out): O1 {P1 Mug, P3 Poster}, O2 {P2}, O3 {P3}, O8 {P2}:
    # 4 baskets; P1 1/4, P3 2/4, {P1, P3} 1/4. P1 -> P3: confidence 1, lift 1 / 0.5 = 2;
    # P3 -> P1: confidence 0.5, lift 0.5 / 0.25 = 2 (both pass min lift 2.0)
    rules = tiny.sql("""
        select antecedent_key, consequent_key, support, confidence, lift, leverage,
               antecedent_names, total_baskets
        from basket_rules order by antecedent_key""").fetchall()
    assert rules == [
        ("P1", "P3", 0.25, 1.0, 2.0, 0.25 - 0.25 * 0.5, "Mug", 4),
        ("P3", "P1", 0.25, 0.5, 2.0, 0.25 - 0.5 * 0.25, "Poster", 4),
    ]
    types = dict(tiny.sql("select column_name, data_type from information_schema.columns "
                          "where table_name = 'basket_rules'").fetchall())
    assert types["antecedents"] == "VARCHAR[]" and types["lift"] == "DOUBLE"
    # the one bundle: O1's Mug 2 x 10 x 0.9 = 18 + Poster 20 = 38; list prices 10 + 20
    assert tiny.sql("""
        select bundle_key, basket_count, bundle_net_revenue, expected_bundle_revenue,
               bundle_list_price
        from product_bundles""").fetchall() == [("P1|P3", 1, 38.0, 38.0, 30.0)]
    assert tiny.sql("""
        select product_id, recommended_product_id from cross_sell_recommendations
        order by 1""").fetchall() == [("P1", "P3"), ("P3", "P1")]
    # one treated (C2) and one control (C3) customer, offered 2024-04-15; neither orders
    # in the 90 days after (C2's and C3's clean orders are before): rates 0 and 0
    assert tiny.sql("""
        select treatment_customers, control_customers, treatment_retained, control_retained,
               uplift, p_value
        from retention_experiment""").fetchall() == [(1, 1, 0, 0, 0.0, None)]
