"""Churn probability per customer (no purchase in the next prediction_window_days) with its
top drivers, scored as of the as-of date by the model refitted on the latest window; the model
is saved to <artifact_dir>/churn.joblib. The work is done by ecommerce_warehouse.predictions."""

from ecommerce_warehouse import paths, predictions


def model(dbt, session):
    """Churn probability and top drivers per customer; saves the churn model's artifact."""
    dbt.config(materialized="table")
    settings = predictions.settings_from_meta(dbt.config.get("meta"))
    inputs = (dbt.ref("fct_orders").df(), dbt.ref("int_reviews_cleaned").df(),
              dbt.ref("customer_features").df())
    run = predictions.run_configured("churn", *inputs, settings)
    predictions.save_artifact(run, paths.resolve(settings.artifact_dir))
    return predictions.churn_predictions(run)
