"""Association rules between products bought in the same order (market basket), mined with
Borgelt's FP-growth (pyfim) on the pruned baskets; the work is done by
ecommerce_warehouse.basket."""

from ecommerce_warehouse import basket


def model(dbt, session):
    """The association rules mined from fct_order_lines' merchandise baskets, with product names
    from dim_products."""
    dbt.config(materialized="table")
    settings = dbt.config.get("meta")["basket"]
    min_support = float(settings["min_support"])
    # basket = one order; returns and non-merchandise lines (postage, fees) left out
    dbt.ref("fct_order_lines").filter("not is_return and is_merchandise").project(
        "order_id as basket_id, product_id as item_id"
    ).create_view("basket_items", replace=True)
    pairs = session.execute(basket.PRUNED_PAIRS_SQL, {"min_support": min_support}).df()
    n_baskets = session.sql("select count(distinct basket_id) from basket_items").fetchone()[0]
    session.execute("drop view basket_items")  # a working view, not a relation for BI tools
    rules = basket.mine_rules(
        pairs, int(n_baskets), min_support=min_support,
        min_confidence=float(settings["min_confidence"]), min_lift=float(settings["min_lift"]),
        max_len=int(settings["max_len"]),
    )
    names = dict(dbt.ref("dim_products").project("product_id, product_name").fetchall())
    rules = basket.readable_rules(rules, names, int(n_baskets))
    return session.from_df(rules).project(basket.RULES_SQL_PROJECTION)
