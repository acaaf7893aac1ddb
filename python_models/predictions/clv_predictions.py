"""Value class (low / medium / high net revenue in the next window) with class probabilities,
plus historical CLV, as of the as-of date; the model is saved to <artifact_dir>/clv.joblib.
The work is done by ecommerce_warehouse.predictions."""

from ecommerce_warehouse import paths, predictions


def model(dbt, session):
    """Value class, class probabilities and historical CLV per customer; saves the model's
    artifact."""
    dbt.config(materialized="table")
    settings = predictions.settings_from_meta(dbt.config.get("meta"))
    inputs = (dbt.ref("fct_orders").df(), dbt.ref("int_reviews_cleaned").df(),
              dbt.ref("customer_features").df())
    run = predictions.run_configured("clv", *inputs, settings)
    # the churn share of the latest window gives the expected lifespan of historical CLV
    churn = predictions.run_configured("churn", *inputs, settings)
    predictions.save_artifact(run, paths.resolve(settings.artifact_dir))
    return predictions.clv_predictions(run, churn.extra.get("churn_share"))
