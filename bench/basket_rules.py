"""Time basket rules on Online Retail at min support 0.01.

Plain mlxtend fpgrowth (with its one-hot) against ecommerce_warehouse.basket (pyfim), and the
time of each piece of the model's path. Run: ``.venv/bin/python bench/basket_rules.py``.
"""

import os
import time
from pathlib import Path

import duckdb
import pandas as pd
from mlxtend.frequent_patterns import association_rules, fpgrowth

from ecommerce_warehouse import basket

DATA = Path(os.environ.get("ECOMMERCE_DATA_DIR", "/work/shared/data")) / "online_retail"
MIN_SUPPORT, MIN_CONFIDENCE, MIN_LIFT, MAX_LEN = 0.01, 0.1, 2.0, 3


def main() -> None:
    """Print the rule counts and the timings."""
    con = duckdb.connect()
    start = time.perf_counter()
    con.execute(f"""create view basket_items as
        select InvoiceNo as basket_id, StockCode as item_id
        from read_csv('{DATA / "online-retail-by-day.csv.gz"}')
        where not starts_with(InvoiceNo, 'C') and Quantity > 0 and UnitPrice > 0""")
    con.execute("create table all_pairs as select distinct basket_id, item_id from basket_items")
    load = time.perf_counter() - start
    start = time.perf_counter()
    pairs = con.execute(basket.PRUNED_PAIRS_SQL.replace("from basket_items", "from all_pairs"),
                        {"min_support": MIN_SUPPORT}).df()
    n_baskets = con.sql("select count(distinct basket_id) from all_pairs").fetchone()[0]
    prune = time.perf_counter() - start
    start = time.perf_counter()
    ours = basket.mine_rules(pairs, n_baskets, MIN_SUPPORT, MIN_CONFIDENCE, MIN_LIFT, MAX_LEN)
    mine = time.perf_counter() - start
    start = time.perf_counter()
    readable = basket.readable_rules(ours, {}, n_baskets)
    con.from_df(readable).project(basket.RULES_SQL_PROJECTION).create("rules")
    write = time.perf_counter() - start

    all_pairs = con.sql("select * from all_pairs").df()
    start = time.perf_counter()
    onehot = pd.crosstab(all_pairs["basket_id"], all_pairs["item_id"]).astype(bool)
    itemsets = fpgrowth(onehot, min_support=MIN_SUPPORT, use_colnames=True, max_len=MAX_LEN)
    rules = association_rules(itemsets, num_itemsets=n_baskets, metric="confidence",
                              min_threshold=MIN_CONFIDENCE)
    rules = rules[rules["lift"] >= MIN_LIFT]
    plain = time.perf_counter() - start
    print(f"baskets {n_baskets}, rules: pyfim {len(ours)}, mlxtend {len(rules)}")
    print(f"plain mlxtend (one-hot + fpgrowth + rules): {plain:.2f} s")
    print(f"mine_rules (pyfim): {mine:.3f} s  -> {plain / mine:.1f}x faster")
    print(f"rest: load+distinct pairs {load:.2f} s, SQL pruning {prune:.2f} s, "
          f"readable+write {write:.3f} s")


if __name__ == "__main__":
    main()
