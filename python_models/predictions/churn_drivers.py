"""The churn model's feature importances (standardised logistic-regression coefficients of the
model refitted on the latest window). The work is done by ecommerce_warehouse.predictions."""

from ecommerce_warehouse import predictions


def model(dbt, session):
    """The churn model's drivers, from fct_orders, int_reviews_cleaned and customer_features."""
    dbt.config(materialized="table")
    settings = predictions.settings_from_meta(dbt.config.get("meta"))
    inputs = (dbt.ref("fct_orders").df(), dbt.ref("int_reviews_cleaned").df(),
              dbt.ref("customer_features").df())
    return predictions.churn_drivers(predictions.run_configured("churn", *inputs, settings))
