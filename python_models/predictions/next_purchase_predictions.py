"""Class of days until the next purchase (0-30, 30-60, 60-90, 90+) with class probabilities,
for repeat customers, as of the as-of date; the model is saved to
<artifact_dir>/next_purchase.joblib. The work is done by ecommerce_warehouse.predictions."""

from ecommerce_warehouse import paths, predictions


def model(dbt, session):
    """Days-to-next-purchase class and probabilities per repeat customer; saves the model's
    artifact."""
    dbt.config(materialized="table")
    settings = predictions.settings_from_meta(dbt.config.get("meta"))
    inputs = (dbt.ref("fct_orders").df(), dbt.ref("int_reviews_cleaned").df(),
              dbt.ref("customer_features").df())
    run = predictions.run_configured("next_purchase", *inputs, settings)
    predictions.save_artifact(run, paths.resolve(settings.artifact_dir))
    return predictions.next_purchase_predictions(run)
