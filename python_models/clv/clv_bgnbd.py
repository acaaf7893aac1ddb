"""Per customer: expected purchases in the next clv_prediction_days, probability alive,
expected average order value and discounted CLV (BG/NBD or Pareto/NBD, whichever the holdout
check chose, and Gamma-Gamma, fitted on everything up to the as-of date). The models are not
fitted again here: they are rebuilt from clv_model_parameters (fitted once per build). The work
is done by ecommerce_warehouse.clv_probabilistic."""

from ecommerce_warehouse import clv_probabilistic


def model(dbt, session):
    """The per-customer CLV table, scored with the models rebuilt from clv_model_parameters."""
    dbt.config(materialized="table")
    settings = clv_probabilistic.settings_from_meta(dbt.config.get("meta"))
    parameters = dbt.ref("clv_model_parameters").df()
    scoring = clv_probabilistic.run_from_parameters(
        "scoring", dbt.ref("fct_orders").df(), dbt.ref("customer_features").df(), settings,
        parameters)
    return clv_probabilistic.clv_bgnbd(
        scoring, clv_probabilistic.chosen_purchase_model(parameters), settings)
