"""The refitted estimators saved for scoring outside a build (joblib files), and scoring
with them."""

from __future__ import annotations

from pathlib import Path

import joblib
import pandas as pd
import sklearn

from ecommerce_warehouse.predictions.features import FEATURES
from ecommerce_warehouse.predictions.fitting import predict_proba, unweighted
from ecommerce_warehouse.predictions.runs import Run, label_window_end


def save_artifact(run: Run, directory) -> Path | None:
    """The joblib file <directory>/<name>.joblib: the refitted estimator with scikit-learn's
    version, the training window, the feature list and the classes. Skipped: None, and an
    older file of that model is removed."""
    directory = Path(directory)
    path = directory / f"{run.name}.joblib"
    if run.estimator is None:
        path.unlink(missing_ok=True)  # no stale model from an earlier build
        return None
    # a run with an estimator was not skipped: it has its dates and class weights (runs._run)
    assert run.cutoff is not None and run.class_weights is not None
    directory.mkdir(parents=True, exist_ok=True)
    joblib.dump({
        "model_name": run.name,
        "estimator": run.estimator,
        "sklearn_version": sklearn.__version__,
        "features": list(FEATURES),
        "classes": list(run.classes),
        "feature_cutoff_date": run.cutoff.isoformat(),
        "label_window_end_date": label_window_end(run).isoformat(),
        "window_days": run.window_days,
        "class_weights": [float(w) for w in run.class_weights],
        "extra": dict(run.extra),
    }, path)
    return path


def load_artifact(path) -> dict:
    """The artifact saved by save_artifact; RuntimeError if it was saved with another scikit-learn
    version."""
    artifact = joblib.load(path)
    if artifact.get("sklearn_version") != sklearn.__version__:
        raise RuntimeError(f"{path} was saved with scikit-learn {artifact['sklearn_version']}, "
                           f"this is {sklearn.__version__}: rebuild the models")
    return artifact


def score_with_artifact(artifact: dict, features: pd.DataFrame) -> pd.DataFrame:
    """Class probabilities (one column per class) for a features_as_of() frame, brought back
    to the classes' frequencies when the estimator was fitted with class weights; the
    predicted class is decide(probabilities, artifact["class_weights"], classes)."""
    proba = unweighted(predict_proba(artifact["estimator"], features[artifact["features"]],
                                     artifact["classes"]), artifact["class_weights"])
    return pd.DataFrame(proba, columns=[str(c) for c in artifact["classes"]])
