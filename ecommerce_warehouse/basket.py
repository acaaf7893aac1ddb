"""Market-basket analysis: association rules with mlxtend on a sparse, pruned basket matrix.

The plain functions behind the dbt Python model python_models/basket_rules.py (the model
stays thin: it runs :data:`PRUNED_PAIRS_SQL` in DuckDB, calls :func:`mine_rules` and returns
the frame). A basket is one order, an item is one product.

Scale. A dense one-hot basket x product matrix does not fit for a shop with a million orders,
so the matrix is built only over what can matter:

* items: only products whose support (baskets containing them / ALL baskets) reaches
  ``min_support`` can be part of a frequent itemset (Apriori property);
* baskets: only baskets holding at least two such products can contain a frequent itemset of
  two or more items, the only ones that give rules.

The kept baskets form a scipy CSR matrix wrapped as a pandas sparse bool frame
(``pd.DataFrame.sparse.from_spmatrix``), which mlxtend's ``fpgrowth`` accepts. mlxtend
divides by the rows it is given, so on the kept baskets the supports are re-scaled to ALL
baskets: an itemset of two or more items is contained only in kept baskets, so its count is
unchanged and its support is count / all baskets; a single item's support is its count over
all baskets (passed in, as pruning drops baskets that hold it). The threshold is applied to
the corrected supports (count / all baskets >= min_support, the same float test as mlxtend's
``apriori``), and ``association_rules`` gets the corrected itemsets with
``num_itemsets`` = all baskets. The result is exactly mlxtend's ``apriori`` +
``association_rules`` on the dense one-hot of all baskets (tests/python/test_basket.py).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from mlxtend.frequent_patterns import association_rules, fpgrowth
from scipy import sparse

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


def sparse_baskets(pairs: pd.DataFrame) -> pd.DataFrame:
    """Sparse bool one-hot frame (one row per basket, one column per item, sorted) of pairs."""
    baskets, basket_index = np.unique(pairs["basket_id"].to_numpy(), return_inverse=True)
    items, item_index = np.unique(pairs["item_id"].to_numpy(), return_inverse=True)
    matrix = sparse.csr_matrix(
        (np.ones(len(pairs), dtype=bool), (basket_index, item_index)),
        shape=(len(baskets), len(items)))
    return pd.DataFrame.sparse.from_spmatrix(matrix, index=baskets, columns=list(items))


def frequent_itemsets(pairs: pd.DataFrame, n_baskets: int, min_support: float,
                      max_len: int = DEFAULT_MAX_LEN) -> pd.DataFrame:
    """Frequent itemsets (columns support, itemsets as frozensets of item ids) with supports
    over ALL n_baskets: every frequent single item and every frequent itemset of 2..max_len
    items. `pairs` may be all pairs or already pruned (:func:`prune_pairs`)."""
    kept = prune_pairs(pairs, n_baskets, min_support)
    total = float(n_baskets)
    singles = kept.drop_duplicates("item_id")
    # single items: their count over all baskets (pruning dropped some of their baskets)
    frames = [pd.DataFrame({
        "support": singles["item_baskets"].to_numpy() / total,
        "itemsets": [frozenset([item]) for item in singles["item_id"]],
    })]
    if len(kept) and (max_len is None or max_len >= 2):
        onehot = sparse_baskets(kept)
        n_kept = len(onehot)
        # mlxtend divides by the kept rows: its threshold is scaled (a little lower, for float
        # safety), then the exact test below runs on the counts over all baskets
        found = fpgrowth(onehot, min_support=min(1.0, min_support * total / n_kept) * (1 - 1e-9),
                         use_colnames=True, max_len=max_len)
        found = found[found["itemsets"].map(len) >= 2]
        counts = np.rint(found["support"].to_numpy() * n_kept)
        support = counts / total
        frames.append(pd.DataFrame({"support": support[support >= min_support],
                                    "itemsets": found["itemsets"][support >= min_support]
                                    .to_list()}))
    result = pd.concat(frames, ignore_index=True)
    return result[result["support"] >= min_support].reset_index(drop=True)


def mine_rules(pairs: pd.DataFrame, n_baskets: int,
               min_support: float = DEFAULT_MIN_SUPPORT,
               min_confidence: float = DEFAULT_MIN_CONFIDENCE,
               min_lift: float = DEFAULT_MIN_LIFT,
               max_len: int = DEFAULT_MAX_LEN) -> pd.DataFrame:
    """Association rules antecedents -> consequents (sorted lists of item ids) with
    mlxtend's antecedent/consequent support, support, confidence, lift, leverage and
    conviction, for rules with confidence >= min_confidence and lift >= min_lift, sorted by
    lift, confidence, support (descending), then antecedents and consequents. No rule (or no
    basket): an empty frame with the same columns."""
    itemsets = frequent_itemsets(pairs, n_baskets, min_support, max_len)
    if not (itemsets["itemsets"].map(len) >= 2).any():
        return empty_rules()
    rules = association_rules(itemsets, num_itemsets=int(n_baskets), metric="confidence",
                              min_threshold=min_confidence)
    rules = rules[rules["lift"] >= min_lift]
    if rules.empty:
        return empty_rules()
    result = pd.DataFrame({
        "antecedents": [sorted(items) for items in rules["antecedents"]],
        "consequents": [sorted(items) for items in rules["consequents"]],
        "antecedent_support": rules["antecedent support"].to_numpy(),
        "consequent_support": rules["consequent support"].to_numpy(),
        "support": rules["support"].to_numpy(),
        "confidence": rules["confidence"].to_numpy(),
        "lift": rules["lift"].to_numpy(),
        "leverage": rules["leverage"].to_numpy(),
        # inf (confidence 1) is kept by mlxtend; stored as null (undefined)
        "conviction": rules["conviction"].replace([np.inf, -np.inf], np.nan).to_numpy(),
    })
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
