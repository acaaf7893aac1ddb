"""Market-basket analysis: association rules mined with Borgelt's FP-growth (PyPI ``pyfim``).

The plain functions behind the dbt Python model python_models/basket/basket_rules.py (the model
stays thin: it runs :data:`PRUNED_PAIRS_SQL` in DuckDB, calls :func:`mine_rules` and returns
the frame). A basket is one order, an item is one product.

Scale. Only what can matter is mined:

* items: only products whose support (baskets containing them / ALL baskets) reaches
  ``min_support`` can be part of a frequent itemset (Apriori property);
* baskets: only baskets holding at least two such products can contain a frequent itemset of
  two or more items, the only ones that give rules.

The kept baskets go to ``fim.fpgrowth`` (frequent itemsets of 2..max_len items, absolute
counts). An itemset of two or more items is contained only in kept baskets, so its count is
exact; a single item's count over all baskets is passed in (pruning drops baskets that hold
it). Supports are counts / ALL baskets and the threshold is mlxtend's float test
``count / n_baskets >= min_support``, given to pyfim as the smallest such count. Rules are
then generated as mlxtend's ``association_rules`` does (every split of a frequent itemset
into a non-empty antecedent and consequent, not only pyfim's one-item heads) with mlxtend's
formulas for confidence, lift, leverage and conviction; tests/python/test_basket.py checks
them against plain mlxtend (``fpgrowth`` and ``apriori`` + ``association_rules`` on the dense
one-hot of all baskets).
"""

from __future__ import annotations

from itertools import combinations

import fim
import numpy as np
import pandas as pd

DEFAULT_MIN_SUPPORT = 0.002
DEFAULT_MIN_CONFIDENCE = 0.1
DEFAULT_MIN_LIFT = 2.0
DEFAULT_MAX_LEN = 3

RULE_COLUMNS = [
    "antecedents", "consequents", "antecedent_support", "consequent_support", "support",
    "confidence", "lift", "leverage", "conviction",
]

# DuckDB: the basket-item pairs of a relation `basket_items` (basket_id, item_id, one row per
# distinct pair) pruned to items that can be frequent and baskets with two or more of them,
# each pair with its item's basket count over ALL baskets. Parameters: $min_support.
PRUNED_PAIRS_SQL = """
with pairs as (
    select distinct basket_id, item_id from basket_items
),
totals as (
    select count(distinct basket_id) as n_baskets from pairs
),
items as (
    select item_id, count(*) as item_baskets
    from pairs
    group by item_id
    having count(*) / (select cast(n_baskets as double) from totals) >= $min_support
),
kept as (
    select pairs.basket_id, pairs.item_id, items.item_baskets
    from pairs
    inner join items on pairs.item_id = items.item_id
    qualify count(*) over (partition by pairs.basket_id) >= 2
)
select
    kept.basket_id, kept.item_id, kept.item_baskets,
    (select n_baskets from totals) as n_baskets
from kept
order by kept.basket_id, kept.item_id
"""


def empty_rules() -> pd.DataFrame:
    """The rules frame with its columns and no rows."""
    frame = pd.DataFrame({column: pd.Series(dtype="float64") for column in RULE_COLUMNS})
    frame["antecedents"] = pd.Series(dtype="object")
    frame["consequents"] = pd.Series(dtype="object")
    return frame


def prune_pairs(pairs: pd.DataFrame, n_baskets: int, min_support: float) -> pd.DataFrame:
    """Distinct (basket_id, item_id) pairs of items with support >= min_support over all
    n_baskets, in baskets holding two or more of them; with `item_baskets`, the item's basket
    count over all baskets (taken from the input when present, else counted)."""
    pairs = pairs[["basket_id", "item_id", *(["item_baskets"] if "item_baskets" in pairs
                                             else [])]].drop_duplicates(["basket_id", "item_id"])
    if "item_baskets" not in pairs:
        pairs = pairs.assign(item_baskets=pairs.groupby("item_id")["basket_id"]
                             .transform("size"))
    if n_baskets <= 0:
        return pairs.iloc[0:0]
    frequent = pairs[pairs["item_baskets"] / float(n_baskets) >= min_support]
    sizes = frequent.groupby("basket_id")["item_id"].transform("size")
    return frequent[sizes >= 2]


def min_count(n_baskets: int, min_support: float) -> int:
    """The smallest basket count c with ``c / n_baskets >= min_support`` as a float test
    (mlxtend's), at least 1; min_support * n_baskets rounded up can be one off either way."""
    count = max(1, int(np.ceil(min_support * n_baskets)))
    while count > 1 and (count - 1) / float(n_baskets) >= min_support:
        count -= 1
    while count / float(n_baskets) < min_support:
        count += 1
    return count


def frequent_itemsets(pairs: pd.DataFrame, n_baskets: int, min_support: float,
                      max_len: int | None = DEFAULT_MAX_LEN) -> dict[frozenset, int]:
    """Basket counts over ALL n_baskets of every itemset with support >= min_support: every
    frequent single item and every frequent itemset of 2..max_len items. `pairs` may be all
    pairs or already pruned (:func:`prune_pairs`)."""
    kept = prune_pairs(pairs, n_baskets, min_support)
    singles = kept.drop_duplicates("item_id")
    # single items: their count over all baskets (pruning dropped some of their baskets)
    counts = {frozenset([item]): int(count) for item, count in
              zip(singles["item_id"], singles["item_baskets"], strict=True)}
    if len(kept) and (max_len is None or max_len >= 2):
        kept = kept.sort_values("basket_id", kind="stable")
        starts = np.flatnonzero(np.r_[True, kept["basket_id"].to_numpy()[1:]
                                      != kept["basket_id"].to_numpy()[:-1]])
        transactions = np.split(kept["item_id"].to_numpy(), starts[1:])
        # one empty basket more: pyfim reports nothing for an itemset found in EVERY basket
        # it is given; an empty basket changes no itemset's absolute count
        found = fim.fpgrowth([list(t) for t in transactions] + [[]], target="s",
                             supp=-min_count(n_baskets, min_support), zmin=2,
                             zmax=max_len or max(map(len, transactions)), report="a")
        counts.update((frozenset(items), int(count)) for items, count in found)
    return counts


def mine_rules(pairs: pd.DataFrame, n_baskets: int,
               min_support: float = DEFAULT_MIN_SUPPORT,
               min_confidence: float = DEFAULT_MIN_CONFIDENCE,
               min_lift: float = DEFAULT_MIN_LIFT,
               max_len: int | None = DEFAULT_MAX_LEN) -> pd.DataFrame:
    """Association rules antecedents -> consequents (sorted lists of item ids) with
    mlxtend's antecedent/consequent support, support, confidence, lift, leverage and
    conviction, for rules with confidence >= min_confidence and lift >= min_lift, sorted by
    lift, confidence, support (descending), then antecedents and consequents. No rule (or no
    basket): an empty frame with the same columns."""
    if n_baskets <= 0:
        return empty_rules()
    counts = frequent_itemsets(pairs, n_baskets, min_support, max_len)
    antecedents, consequents, c_a, c_c, c_ac = [], [], [], [], []
    for itemset, count in counts.items():
        for size in range(1, len(itemset)):
            for antecedent in combinations(sorted(itemset), size):
                consequent = itemset.difference(antecedent)
                antecedents.append(list(antecedent))
                consequents.append(sorted(consequent))
                c_a.append(counts[frozenset(antecedent)])
                c_c.append(counts[consequent])
                c_ac.append(count)
    if not antecedents:
        return empty_rules()
    total = float(n_baskets)
    s_a, s_c, s_ac = (np.asarray(c, dtype=float) / total for c in (c_a, c_c, c_ac))
    # mlxtend's formulas, in its order of operations
    # (so that a rule at the confidence threshold falls on the same side)
    confidence = (s_ac * total) / (s_a * total)
    lift = confidence / s_c
    with np.errstate(divide="ignore"):
        # confidence 1: mlxtend's inf, stored as null (undefined)
        conviction = np.where(confidence < 1.0, (1.0 - s_c) / (1.0 - confidence), np.nan)
    result = pd.DataFrame({
        "antecedents": antecedents, "consequents": consequents,
        "antecedent_support": s_a, "consequent_support": s_c, "support": s_ac,
        "confidence": confidence, "lift": lift, "leverage": s_ac - s_a * s_c,
        "conviction": conviction,
    })
    result = result[(confidence >= min_confidence) & (lift >= min_lift)]
    if result.empty:
        return empty_rules()
    keys = pd.DataFrame({"a": result["antecedents"].map("|".join),
                         "c": result["consequents"].map("|".join)})
    order = np.lexsort((keys["c"], keys["a"], -result["support"].to_numpy(),
                        -result["confidence"].to_numpy(), -result["lift"].to_numpy()))
    return result.iloc[order].reset_index(drop=True)


# The stored table's columns and types (list columns stay lists in DuckDB even when empty).
RULES_SQL_PROJECTION = """
    cast(rule_id as bigint) as rule_id,
    cast(antecedents as varchar[]) as antecedents,
    cast(consequents as varchar[]) as consequents,
    cast(antecedent_key as varchar) as antecedent_key,
    cast(consequent_key as varchar) as consequent_key,
    cast(antecedent_names as varchar) as antecedent_names,
    cast(consequent_names as varchar) as consequent_names,
    cast(antecedent_size as bigint) as antecedent_size,
    cast(consequent_size as bigint) as consequent_size,
    cast(antecedent_support as double) as antecedent_support,
    cast(consequent_support as double) as consequent_support,
    cast(support as double) as support,
    cast(confidence as double) as confidence,
    cast(lift as double) as lift,
    cast(leverage as double) as leverage,
    cast(conviction as double) as conviction,
    cast(basket_count as bigint) as basket_count,
    cast(total_baskets as bigint) as total_baskets
"""


def readable_rules(rules: pd.DataFrame, names: dict, n_baskets: int) -> pd.DataFrame:
    """Rules of :func:`mine_rules` with a rule_id (1 = highest lift), the item ids joined by
    '|' (antecedent_key, consequent_key), the product names joined by ' + ', the sizes, the
    number of baskets holding the whole rule and the total baskets."""
    result = rules.copy()
    result.insert(0, "rule_id", np.arange(1, len(result) + 1, dtype=np.int64))
    for side in ("antecedent", "consequent"):
        items = result[f"{side}s"]
        result[f"{side}_key"] = items.map("|".join).astype("object")
        result[f"{side}_names"] = items.map(
            lambda ids: " + ".join(str(names.get(i) or i) for i in ids)).astype("object")
        result[f"{side}_size"] = items.map(len).astype("int64")
    result["basket_count"] = np.rint(result["support"].to_numpy(dtype=float)
                                     * n_baskets).astype("int64")
    result["total_baskets"] = np.int64(n_baskets)
    if result.empty:  # typed empty columns, so that DuckDB can cast them
        for column in ("antecedents", "consequents"):
            result[column] = pd.Series([], dtype="object")
        for column in ("antecedent_key", "consequent_key", "antecedent_names",
                       "consequent_names"):
            result[column] = pd.Series([], dtype="str")
    return result
