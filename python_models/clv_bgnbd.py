"""Per customer: expected purchases in the next clv_prediction_days, probability alive,
expected average order value and discounted CLV (BG/NBD or Pareto/NBD, whichever the holdout
check chose, and Gamma-Gamma, fitted on everything up to the as-of date). The work is done by
ecommerce_warehouse.clv_probabilistic."""

from ecommerce_warehouse import clv_probabilistic


def model(dbt, session):
    dbt.config(materialized="table")
    settings = clv_probabilistic.settings_from_meta(dbt.config.get("meta"))
    inputs = (dbt.ref("fct_orders").df(), dbt.ref("customer_features").df())
    scoring, holdout = (clv_probabilistic.run_configured(purpose, *inputs, settings)
                        for purpose in ("scoring", "holdout"))
    return clv_probabilistic.clv_bgnbd(scoring, holdout, settings)
