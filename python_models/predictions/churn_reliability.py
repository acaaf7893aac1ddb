"""How well the churn probability is calibrated: its reliability table (ten probability bins:
customers, mean predicted probability, observed churn share) on the customers held out from
training. The work is done by ecommerce_warehouse.predictions."""

from ecommerce_warehouse import predictions


def model(dbt, session):
    """The churn model's reliability table on the held-out customers."""
    dbt.config(materialized="table")
    settings = predictions.settings_from_meta(dbt.config.get("meta"))
    inputs = (dbt.ref("fct_orders").df(), dbt.ref("int_reviews_cleaned").df(),
              dbt.ref("customer_features").df())
    return predictions.churn_reliability(predictions.run_configured("churn", *inputs, settings))
