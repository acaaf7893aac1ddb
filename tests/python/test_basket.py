"""Market-basket rules (ecommerce_warehouse/basket.py) and the experiment sample size
(ecommerce_warehouse/experiments.py) on small inputs worked out by hand, and the pruned sparse
mining against plain mlxtend on a dense one-hot matrix."""

import numpy as np
import pandas as pd
import pytest
from mlxtend.frequent_patterns import apriori, association_rules, fpgrowth

from ecommerce_warehouse import basket, experiments

FIVE_BASKETS = {"B1": "ABC", "B2": "AB", "B3": "AC", "B4": "BD", "B5": "ABD"}


def pairs_of(baskets):
    return pd.DataFrame([(b, item) for b, items in baskets.items() for item in items],
                        columns=["basket_id", "item_id"])


def by_rule(rules):
    return {("".join(a), "".join(c)): row for a, c, row in
            zip(rules["antecedents"], rules["consequents"], rules.to_dict("records"), strict=True)}


def test_five_baskets_by_hand():
    # supports: A 4/5, B 4/5, C 2/5, D 2/5; AB 3/5, AC 2/5, BD 2/5 (BC, AD 1/5: not frequent
    # at 0.3). Rules with confidence >= 0.5 and lift >= 1 (A->B, B->A have lift 0.9375):
    rules = by_rule(basket.mine_rules(pairs_of(FIVE_BASKETS), 5, min_support=0.3,
                                      min_confidence=0.5, min_lift=1.0))
    assert set(rules) == {("A", "C"), ("C", "A"), ("B", "D"), ("D", "B")}
    a_c, c_a = rules[("A", "C")], rules[("C", "A")]
    assert a_c["support"] == pytest.approx(0.4)
    assert a_c["antecedent_support"] == pytest.approx(0.8)
    assert a_c["consequent_support"] == pytest.approx(0.4)
    assert a_c["confidence"] == pytest.approx(0.5)        # 0.4 / 0.8
    assert a_c["lift"] == pytest.approx(1.25)             # 0.5 / 0.4
    assert a_c["leverage"] == pytest.approx(0.08)         # 0.4 - 0.8 * 0.4
    assert a_c["conviction"] == pytest.approx(1.2)        # (1 - 0.4) / (1 - 0.5)
    assert c_a["confidence"] == pytest.approx(1.0)        # 0.4 / 0.4
    assert c_a["lift"] == pytest.approx(1.25)             # 1.0 / 0.8
    assert np.isnan(c_a["conviction"])                    # confidence 1: undefined
    d_b = rules[("D", "B")]
    assert (d_b["support"], d_b["confidence"], d_b["lift"]) == pytest.approx((0.4, 1.0, 1.25))


def test_pruning_keeps_the_denominator_of_all_baskets():
    # min support 0.5: only A and B are frequent; B3 (only A) and B4 (only B) are pruned, so
    # the matrix holds B1, B2, B5. Supports must still be over all 5 baskets: AB 3/5 (not 3/3),
    # A 4/5 (not 3/3); A->B: confidence 0.6 / 0.8 = 0.75, lift 0.75 / 0.8 = 0.9375.
    pruned = basket.prune_pairs(pairs_of(FIVE_BASKETS), 5, 0.5)
    assert sorted(pruned["basket_id"].unique()) == ["B1", "B2", "B5"]
    rules = by_rule(basket.mine_rules(pairs_of(FIVE_BASKETS), 5, min_support=0.5,
                                      min_confidence=0.0, min_lift=0.0))
    assert set(rules) == {("A", "B"), ("B", "A")}
    a_b = rules[("A", "B")]
    assert (a_b["support"], a_b["antecedent_support"], a_b["confidence"], a_b["lift"]) == \
        pytest.approx((0.6, 0.8, 0.75, 0.9375))


def test_no_rules_gives_an_empty_frame_with_the_columns():
    for pairs, n in ((pairs_of({"B1": "A", "B2": "B"}), 2), (pairs_of({}), 0)):
        rules = basket.mine_rules(pairs, n)
        assert rules.empty and list(rules.columns) == basket.RULE_COLUMNS
        readable = basket.readable_rules(rules, {}, n)
        assert readable.empty and "rule_id" in readable and "antecedent_names" in readable


def mlxtend_reference(pairs, n_baskets, min_support, min_confidence, min_lift, max_len):
    """Plain mlxtend: dense one-hot of ALL baskets, apriori, association_rules."""
    onehot = pd.crosstab(pairs["basket_id"], pairs["item_id"]).astype(bool)
    assert len(onehot) == n_baskets
    itemsets = apriori(onehot, min_support=min_support, use_colnames=True, max_len=max_len)
    rules = association_rules(itemsets, num_itemsets=n_baskets, metric="confidence",
                              min_threshold=min_confidence)
    return rules[rules["lift"] >= min_lift]


def assert_same_rules(ours, reference):
    ours = by_rule(ours.assign(
        antecedents=ours["antecedents"].map(tuple), consequents=ours["consequents"].map(tuple)))
    expected = {(tuple(sorted(a)), tuple(sorted(c))): row for a, c, row in zip(
        reference["antecedents"], reference["consequents"], reference.to_dict("records"),
        strict=True)}
    expected = {("".join(a), "".join(c)): row for (a, c), row in expected.items()}
    assert set(ours) == set(expected) and len(ours) > 0
    for key, row in expected.items():
        mine = ours[key]
        for column, theirs in (("antecedent_support", "antecedent support"),
                               ("consequent_support", "consequent support"),
                               ("support", "support"), ("confidence", "confidence"),
                               ("lift", "lift"), ("leverage", "leverage")):
            assert mine[column] == pytest.approx(row[theirs], rel=1e-12), (key, column)
        if np.isfinite(row["conviction"]):
            assert mine["conviction"] == pytest.approx(row["conviction"], rel=1e-12)
        else:
            assert np.isnan(mine["conviction"])


def random_baskets(seed=7, n=3000):
    """Zipf-like products, a planted triple (P03 -> P11, P12) and many one-item baskets."""
    rng = np.random.default_rng(seed)
    weights = 1 / np.arange(1, 41) ** 1.1
    rows = []
    for b in range(n):
        items = set(rng.choice(40, size=rng.integers(1, 6), p=weights / weights.sum()))
        if 3 in items and rng.random() < 0.7:
            items |= {11, 12}
        rows += [(f"B{b:05d}", f"P{i:02d}") for i in items]
    return pd.DataFrame(rows, columns=["basket_id", "item_id"])


@pytest.mark.parametrize("min_support,min_confidence,min_lift,max_len",
                         [(0.01, 0.1, 1.2, 3), (0.02, 0.0, 0.0, 2), (0.005, 0.2, 1.5, None)])
def test_pruned_sparse_rules_equal_plain_mlxtend(min_support, min_confidence, min_lift, max_len):
    pairs = random_baskets()
    reference = mlxtend_reference(pairs, 3000, min_support, min_confidence, min_lift, max_len)
    ours = basket.mine_rules(pairs, 3000, min_support, min_confidence, min_lift, max_len)
    assert_same_rules(ours, reference)


def test_the_sql_pruning_gives_the_same_rules(tmp_path):
    duckdb = pytest.importorskip("duckdb")
    pairs = random_baskets(seed=11)
    with duckdb.connect() as con:
        con.from_df(pairs).create_view("basket_items")
        pruned = con.execute(basket.PRUNED_PAIRS_SQL, {"min_support": 0.01}).df()
    # fewer rows than the input (single-item baskets and rare items dropped) ...
    assert len(pruned) < len(pairs)
    assert (pruned.groupby("basket_id").size() >= 2).all()
    assert pruned["n_baskets"].iloc[0] == 3000
    # ... and exactly plain mlxtend's rules on all baskets
    assert_same_rules(basket.mine_rules(pruned, 3000, 0.01, 0.1, 1.2, 3),
                      mlxtend_reference(pairs, 3000, 0.01, 0.1, 1.2, 3))


def test_sample_size_per_arm_matches_hand_and_published_values():
    # baseline 0.20, uplift 0.08: p̄ = 0.24; (1.959964 * sqrt(2 * 0.24 * 0.76)
    # + 0.841621 * sqrt(0.16 + 0.2016))^2 / 0.08^2 = (1.183793 + 0.506094)^2 / 0.0064 = 446.2
    hand = experiments.sample_size_per_arm(0.20, 0.08, alpha=0.05, power=0.80)
    assert hand["customers_per_arm_exact"] == pytest.approx(446.2, abs=0.05)
    assert hand["customers_per_arm"] == 447
    # the textbook case 10% vs 15%, alpha 0.05, power 0.8, no continuity correction: p̄ = 0.125;
    # (1.959964 * sqrt(0.21875) + 0.841621 * sqrt(0.09 + 0.1275))^2 / 0.05^2
    # = (0.916689 + 0.392506)^2 / 0.0025 = 685.6 -> 686 per group
    assert experiments.sample_size_per_arm(0.10, 0.05)["customers_per_arm"] == 686
    with pytest.raises(ValueError):
        experiments.sample_size_per_arm(0.95, 0.08)


def mlxtend_fpgrowth_reference(pairs, n_baskets, min_support, min_confidence, min_lift, max_len):
    """Plain mlxtend fpgrowth + association_rules on the dense one-hot of ALL baskets."""
    onehot = pd.crosstab(pairs["basket_id"], pairs["item_id"]).astype(bool)
    assert len(onehot) == n_baskets
    itemsets = fpgrowth(onehot, min_support=min_support, use_colnames=True, max_len=max_len)
    rules = association_rules(itemsets, num_itemsets=n_baskets, metric="confidence",
                              min_threshold=min_confidence)
    return rules[rules["lift"] >= min_lift]


def test_boundary_support_count_is_kept_as_mlxtend_keeps_it():
    # min support 0.4 over 5 baskets: exactly 2 baskets (AC, BD: support 0.4) are frequent,
    # 1 basket (BC, AD) is not; pyfim is given the absolute count 2
    assert basket.min_count(5, 0.4) == 2
    assert basket.min_count(10, 0.3) == 3      # 0.3 * 10 = 3.0000000000000004 in floats
    ours = basket.mine_rules(pairs_of(FIVE_BASKETS), 5, 0.4, 0.0, 0.0, 3)
    assert {("".join(a), "".join(c))
            for a, c in zip(ours["antecedents"], ours["consequents"], strict=True)} \
        == {("A", "B"), ("B", "A"), ("A", "C"), ("C", "A"), ("B", "D"), ("D", "B")}
    assert_same_rules(ours, mlxtend_fpgrowth_reference(pairs_of(FIVE_BASKETS), 5, 0.4, 0.0,
                                                       0.0, 3))


def test_pyfim_rules_equal_mlxtend_fpgrowth_on_random_baskets():
    rng = np.random.default_rng(3)
    weights = 1 / np.arange(1, 31)
    rows = [(f"O{b:03d}", f"S{i:02d}") for b in range(400)
            for i in set(rng.choice(30, size=rng.integers(1, 7), p=weights / weights.sum()))]
    pairs = pd.DataFrame(rows, columns=["basket_id", "item_id"])
    for settings in ((0.02, 0.1, 1.0, 3), (0.01, 0.0, 0.0, None)):
        assert_same_rules(basket.mine_rules(pairs, 400, *settings),
                          mlxtend_fpgrowth_reference(pairs, 400, *settings))
