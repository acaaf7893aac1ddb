"""One row per predictive model and metric, measured on held-out customers, next to a naive
baseline; a model that could not be fitted gets one row with its skip reason. The work is done
by ecommerce_warehouse.predictions."""

from ecommerce_warehouse import predictions


def model(dbt, session):
    dbt.config(materialized="table")
    settings = predictions.settings_from_meta(dbt.config.get("meta"))
    inputs = (dbt.ref("fct_orders").df(), dbt.ref("int_reviews_cleaned").df(),
              dbt.ref("customer_features").df())
    runs = [predictions.run_configured(name, *inputs, settings)
            for name in ("churn", "next_purchase", "clv")]
    return predictions.model_metrics(runs)
