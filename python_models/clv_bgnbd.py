"""Per customer: expected purchases in the next clv_prediction_days, probability alive,
expected average order value and discounted CLV (BG/NBD + Gamma-Gamma fitted on everything up
to the as-of date). The work is done by ecommerce_warehouse.clv_probabilistic."""

from ecommerce_warehouse import clv_probabilistic


def model(dbt, session):
    dbt.config(materialized="table")
    settings = clv_probabilistic.settings_from_meta(dbt.config.get("meta"))
    run = clv_probabilistic.run_configured(
        "scoring", dbt.ref("fct_orders").df(), dbt.ref("customer_features").df(), settings)
    return clv_probabilistic.clv_bgnbd(run, settings)
