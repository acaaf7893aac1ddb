"""Predictive customer models (churn, next purchase, value class): the plain functions behind
the dbt Python models in python_models/predictions/ (churn_predictions, churn_drivers,
churn_reliability, next_purchase_predictions, clv_predictions, model_metrics).

One idea a module, each importing only those above it:

* inputs: the cut-off and as-of dates, the order and review frames, the two exceptions.
* features: point-in-time customer features (features_as_of).
* labels: what happened in the window after a cut-off.
* fitting: the candidate estimators, fitting, class weights, scoring and metrics.
* tasks: one Task per classifier (TASKS): what differs between churn, next_purchase and clv.
* runs: a model's Run, the honest time split (method in its docstring).
* outputs: the dbt models' tables from a Run, historical CLV.
* artifacts: the refitted estimators saved with joblib, and scoring with them.
* settings: the dbt models' settings and run_configured (one Run per process and inputs).

The names the rest of the code uses are re-exported here: ``from ecommerce_warehouse import
predictions`` then ``predictions.run_configured(...)``.
"""

# In the layer order of the list above, not alphabetical.
from ecommerce_warehouse.predictions.inputs import (PredictionConfigError, PredictionSkipped,  # noqa: I001
                                                    prepare_orders, prepare_reviews, resolve_dates,
                                                    to_date)
from ecommerce_warehouse.predictions.features import FEATURES, features_as_of
from ecommerce_warehouse.predictions.labels import (VALUE_CLASSES, churn_labels, days_to_class,
                                                    next_purchase_labels, value_class,
                                                    window_revenue)
from ecommerce_warehouse.predictions.fitting import (LOGISTIC, Candidate, brier_score,
                                                     check_classes, class_weights, decide, fit,
                                                     one_hot, predict_proba, training_sample,
                                                     unweighted)
from ecommerce_warehouse.predictions.tasks import TASKS, candidates
from ecommerce_warehouse.predictions.runs import STACKED_WINDOWS, Run, earlier_windows, run_model
from ecommerce_warehouse.predictions.outputs import (MAX_LIFESPAN_YEARS, churn_drivers,
                                                     churn_predictions, churn_reliability,
                                                     clv_predictions, expected_lifespan_years,
                                                     historical_clv, improvement_columns,
                                                     metric_rows, metrics_frame, model_metrics,
                                                     next_purchase_predictions, reliability_table)
from ecommerce_warehouse.predictions.artifacts import (load_artifact, save_artifact,
                                                       score_with_artifact)
from ecommerce_warehouse.predictions.settings import (Settings, meta_date, resolve_as_of,
                                                      run_configured, settings_from_meta)

__all__ = [
    "PredictionConfigError", "PredictionSkipped", "prepare_orders", "prepare_reviews",
    "resolve_dates", "to_date", "FEATURES", "features_as_of", "VALUE_CLASSES", "churn_labels",
    "days_to_class", "next_purchase_labels", "value_class", "window_revenue", "LOGISTIC",
    "Candidate", "brier_score", "check_classes", "class_weights", "decide", "fit", "one_hot",
    "predict_proba", "training_sample", "unweighted", "TASKS", "candidates", "STACKED_WINDOWS",
    "Run", "earlier_windows", "run_model", "MAX_LIFESPAN_YEARS", "churn_drivers",
    "churn_predictions", "churn_reliability", "clv_predictions", "expected_lifespan_years",
    "historical_clv", "improvement_columns", "metric_rows", "metrics_frame", "model_metrics",
    "next_purchase_predictions", "reliability_table", "load_artifact", "save_artifact",
    "score_with_artifact", "Settings", "meta_date", "resolve_as_of", "run_configured",
    "settings_from_meta",
]
