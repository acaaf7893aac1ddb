"""Fitting and scoring the estimators, and the metrics they are judged on.

Candidates: signed log1p of every feature, standardised, then a (multinomial) logistic
regression; and scikit-learn's HistGradientBoosting; each without and, where its task tries
them (tasks.py), with balanced class weights. A model fitted with class weights has its
probabilities brought back to the classes' frequencies (:func:`unweighted`) and decides by the
weighted ones (:func:`decide`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import FunctionTransformer, StandardScaler
from threadpoolctl import threadpool_limits

from ecommerce_warehouse.evaluation import macro_f1, roc_auc
from ecommerce_warehouse.predictions.features import FEATURES
from ecommerce_warehouse.predictions.inputs import DEFAULT_SEED, PredictionSkipped

MIN_CUSTOMERS = 50
MIN_CLASS_CUSTOMERS = 10
MAX_TRAINING_ROWS = 100_000  # rows a model is fitted on at most (see training_sample)


def signed_log1p(values):
    """sign(x) * log(1 + |x|), elementwise, as floats."""
    values = np.asarray(values, dtype=float)
    return np.sign(values) * np.log1p(np.abs(values))


@dataclass(frozen=True)
class Candidate:
    """One estimator a model is chosen from (tasks.candidates, runs._choose)."""

    family: str            # "logistic regression" or "gradient boosting"
    balanced: bool = False  # class weights inversely proportional to class frequencies

    @property
    def label(self) -> str:
        """The candidate's name in the marts: its family, and whether classes are balanced."""
        return self.family + (" (balanced classes)" if self.balanced else "")


LOGISTIC = Candidate("logistic regression")


def make_estimator(seed: int = DEFAULT_SEED, candidate: Candidate = LOGISTIC):
    """A new, unfitted estimator of the candidate's family (logistic regression or gradient
    boosting), seeded."""
    weight = "balanced" if candidate.balanced else None
    if candidate.family == "logistic regression":
        return Pipeline([
            ("log", FunctionTransformer(signed_log1p)),
            ("scale", StandardScaler()),
            ("model", LogisticRegression(C=1.0, max_iter=5000, random_state=seed,
                                         class_weight=weight)),
        ])
    if candidate.family == "gradient boosting":
        # small trees, slow learning and a fixed number of rounds: no inner split of its own
        return HistGradientBoostingClassifier(
            learning_rate=0.05, max_iter=200, max_leaf_nodes=15, min_samples_leaf=40,
            l2_regularization=1.0, early_stopping=False, class_weight=weight,
            random_state=seed)
    raise ValueError(f"unknown estimator family {candidate.family!r}")


def matrix(features: pd.DataFrame, columns=FEATURES) -> np.ndarray:
    """The feature columns as a float matrix, missing values as 0."""
    return features[list(columns)].astype(float).fillna(0.0).to_numpy()


def check_classes(labels: pd.Series, classes, what: str, minimum: int = MIN_CLASS_CUSTOMERS):
    """Raise PredictionSkipped with fewer than MIN_CUSTOMERS labels, or fewer than `minimum`
    customers in one of the classes."""
    if len(labels) < MIN_CUSTOMERS:
        raise PredictionSkipped(
            f"{what}: {len(labels)} labelled customers, at least {MIN_CUSTOMERS} needed")
    counts = labels.value_counts()
    for label in classes:
        if counts.get(label, 0) < minimum:
            raise PredictionSkipped(
                f"{what}: {counts.get(label, 0)} customers in class {label!r}, "
                f"at least {minimum} needed")


def training_sample(features: pd.DataFrame, labels: pd.Series, seed=DEFAULT_SEED,
                    limit: int | None = None):
    """At most `limit` (MAX_TRAINING_ROWS) rows drawn at random with the seed, in their order.
    Gradient boosting's time grows with the rows (about 35 s for 200,000 rows of four classes
    on one core) while these models gain little beyond 100,000; a 1M-customer shop would
    otherwise spend most of its build in the fits."""
    limit = MAX_TRAINING_ROWS if limit is None else limit
    if len(labels) <= limit:
        return features, labels
    keep = np.sort(np.random.default_rng(seed).choice(len(labels), size=limit, replace=False))
    return (features.iloc[keep].reset_index(drop=True),
            labels.iloc[keep].reset_index(drop=True))


def fit(features, labels, seed=DEFAULT_SEED, candidate: Candidate = LOGISTIC):
    """The candidate fitted on (at most MAX_TRAINING_ROWS of) the rows."""
    features, labels = training_sample(features, labels, seed)
    with threadpool_limits(limits=1):
        return make_estimator(seed, candidate).fit(matrix(features), labels.to_numpy())


def class_weights(labels, classes, candidate: Candidate) -> np.ndarray:
    """The weight of each class in the fit: scikit-learn's "balanced" n / (classes x n_k), or
    ones."""
    if not candidate.balanced:
        return np.ones(len(classes))
    counts = pd.Series(labels).value_counts()
    return np.array([len(labels) / (len(classes) * counts[c]) for c in classes], dtype=float)


def unweighted(probabilities, weights) -> np.ndarray:
    """Probabilities of a model fitted with class weights w_k brought back to the classes'
    real frequencies: p_k proportional to q_k / w_k (the prior-shift correction; Elkan 2001,
    "The foundations of cost-sensitive learning"). Ones: unchanged."""
    corrected = np.asarray(probabilities, dtype=float) / np.asarray(weights, dtype=float)
    return corrected / corrected.sum(axis=1, keepdims=True)


def decide(probabilities, weights, classes) -> np.ndarray:
    """The predicted class: the largest probability x class weight, i.e. the weighted model's
    own choice (what the balanced candidates were chosen for: macro F1)."""
    scores = np.asarray(probabilities, dtype=float) * np.asarray(weights, dtype=float)
    return np.array(classes, dtype=object)[scores.argmax(axis=1)]


def predict_proba(estimator, features, classes) -> np.ndarray:
    """Probabilities in the order of `classes`."""
    with threadpool_limits(limits=1):
        proba = estimator.predict_proba(matrix(features))
    order = [list(estimator.classes_).index(c) for c in classes]
    return proba[:, order]


def brier_score(truth, probabilities, classes) -> float:
    """Mean squared error of the class probabilities against the outcome (Brier 1950). Two
    classes: the usual mean of (p - y)^2 for the positive class; more: summed over classes.
    A 0/1 baseline scores its error rate (two classes) or twice it (more)."""
    outcome = one_hot(truth, classes)
    probabilities = np.asarray(probabilities, dtype=float)
    if len(classes) == 2:
        return float(np.mean((probabilities[:, 1] - outcome[:, 1]) ** 2))
    return float(np.mean(np.sum((probabilities - outcome) ** 2, axis=1)))


def one_hot(predicted, classes) -> np.ndarray:
    """A hard prediction (or an outcome) as probabilities: 1 for its class."""
    predicted = np.asarray(predicted, dtype=object)
    return np.column_stack([predicted == c for c in classes]).astype(float)


def metrics_of(truth, predicted, probabilities, classes) -> dict:
    """accuracy, macro F1 and Brier score; two classes: ROC AUC of the positive class too."""
    out = {"accuracy": float(accuracy_score(truth, predicted)),
           "macro_f1": macro_f1(truth, predicted),
           "brier_score": brier_score(truth, probabilities, classes)}
    if len(classes) == 2:
        out["roc_auc"] = roc_auc(truth, np.asarray(probabilities, dtype=float)[:, 1])
    return out


def class_balance(labels: pd.Series, classes) -> str:
    """Each class's share of the labels, as text ("<class>: <share>, ...")."""
    shares = labels.value_counts(normalize=True)
    return ", ".join(f"{c}: {shares.get(c, 0.0):.3f}" for c in classes)
