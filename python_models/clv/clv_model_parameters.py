"""The fitted BG/NBD, Pareto/NBD and Gamma-Gamma parameters of the scoring fit (up to the as-of
date) and of the holdout fit (up to clv_prediction_days earlier), their windows and fit times,
and the purchase model the holdout chose. The work is done by
ecommerce_warehouse.clv_probabilistic."""

from ecommerce_warehouse import clv_probabilistic


def model(dbt, session):
    """The fitted parameters of the scoring and holdout fits, from fct_orders and
    customer_features."""
    dbt.config(materialized="table")
    settings = clv_probabilistic.settings_from_meta(dbt.config.get("meta"))
    inputs = (dbt.ref("fct_orders").df(), dbt.ref("customer_features").df())
    runs = [clv_probabilistic.run_configured(purpose, *inputs, settings)
            for purpose in ("scoring", "holdout")]
    return clv_probabilistic.model_parameters(runs, holdout=runs[1])
