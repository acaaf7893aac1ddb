"""Predictive customer models (churn, next purchase, value class): the plain functions behind
the dbt Python models in python_models/predictions/ (churn_predictions, churn_drivers,
next_purchase_predictions, clv_predictions, model_metrics).

Honest time split
-----------------
* The *cut-off date* (var ``prediction_cutoff_date``; default: ``as_of_date`` minus
  ``prediction_window_days``, 90) ends the calibration window. :func:`features_as_of` computes
  every customer feature from the order-level frames using only what was known at the end of
  the cut-off day: orders placed on or before it, deliveries that were overdue by then (the
  promised date has passed and the parcel had not arrived by the promised date), reviews
  written on or before it. Nothing dated after the cut-off can move a feature (pytest proves
  it by rewriting post-cut-off data).
* Labels come from the window after the cut-off: ``(cut-off, cut-off + window]``.
* Evaluation: the labelled customers are split once with a fixed seed (stratified,
  ``TEST_SHARE`` held out); every metric in ``model_metrics`` is measured on the held-out
  customers only, next to a naive baseline measured on the same customers. The model is
  trained on the training customers plus the customers of the ``STACKED_WINDOWS - 1`` earlier
  label windows (cut-offs one and two label horizons before; their labels end on or before
  the cut-off, so nothing of the held-out customers' label window is seen).
* Choice of estimator (:func:`_choose`): on the *validation window*, the earlier window whose
  labels end on the cut-off, each candidate (:func:`candidates`) trained on the windows before
  it; the best primary metric wins. The held-out customers are never used to choose.
* Scores for "today": the chosen estimator is refitted on *all* labelled customers of the
  latest windows (features as of each cut-off, labels up to the as-of date) and applied to
  features computed the same way as of the as-of date. That refitted model is the one saved
  as an artifact.

Models
------
Candidates: signed log1p of every feature, standardised, then a (multinomial) logistic
regression; and scikit-learn's HistGradientBoosting; the macro-F1 models try each with and
without balanced class weights. Churn's drivers always come from a logistic regression (an
extra fit when gradient boosting scores): its standardised coefficients are the feature
importances (``churn_drivers``); a customer's top churn drivers are the features with the
largest positive contribution (coefficient x standardised value) to that model's churn score.

* churn: 1 = no purchase in the window after the date. Baseline "same as last period":
  churned if the customer made no purchase in the window *before* the date.
* next purchase (repeat customers, 2+ purchases): days from the date to the next purchase,
  class 0-30 / 30-60 / 60-90 / 90+ (``(0, 30]``, ``(30, 60]``, ``(60, 90]``, none within 90).
  Baseline: the majority class of the training customers.
* value class: net revenue in the window after the date: low = none (<= 0); medium / high
  split at the median positive next-window revenue of the training customers. Baseline "same
  as last period": the class of the customer's revenue in the window before the date.

Historical CLV (``clv_predictions``): revenue to date, and the classic formula
average order value x purchase frequency (purchases per year of tenure, tenure at least one
window) x expected lifespan (years) where expected lifespan = 1 / annual churn rate, the annual
churn rate being the churn share of the latest labelled window compounded to a year:
``1 - (1 - p) ** (365 / window)``; capped at ``MAX_LIFESPAN_YEARS``.

Data too thin to fit (fewer than ``MIN_CUSTOMERS`` labelled customers, or fewer than
``MIN_CLASS_CUSTOMERS`` in some class) raises :class:`PredictionSkipped`: the dbt models then
return empty predictions and ``model_metrics`` records the reason. A bad configuration (a
cut-off on or after the as-of date, so that no later data exists) raises
:class:`PredictionConfigError` with a plain message.
"""

from __future__ import annotations

import datetime as dt
import threading
from dataclasses import dataclass, field
from pathlib import Path

import joblib
import numpy as np
import pandas as pd
import pyarrow as pa
import sklearn
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score
from sklearn.model_selection import train_test_split
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import FunctionTransformer, StandardScaler
from threadpoolctl import threadpool_limits

from ecommerce_warehouse.evaluation import Improvement, macro_f1, paired_bootstrap, roc_auc

DEFAULT_WINDOW_DAYS = 90
DEFAULT_SEED = 42
TEST_SHARE = 0.3
MIN_CUSTOMERS = 50
MIN_CLASS_CUSTOMERS = 10
BAD_RATING_MAX = 2
NEXT_PURCHASE_HORIZON_DAYS = 90
NEXT_PURCHASE_CLASSES = ("0-30", "30-60", "60-90", "90+")
VALUE_CLASSES = ("low", "medium", "high")
CHURN_CLASSES = (0, 1)
MAX_LIFESPAN_YEARS = 10.0
STACKED_WINDOWS = 3  # label windows a model is trained on: the latest and two before it
TOP_DRIVERS = 3
RELIABILITY_BINS = 10
MAX_TRAINING_ROWS = 100_000  # rows a model is fitted on at most (see training_sample)

FEATURES = (
    "recency_days",
    "frequency",
    "monetary",
    "average_order_value",
    "tenure_days",
    "average_days_between_orders",
    "orders_last_window",
    "revenue_last_window",
    "coupon_order_share",
    "return_count",
    "late_delivery_count",
    "late_delivery_share",
    "review_count",
    "bad_review_count",
    "last_gap_days",
    "orders_same_window_last_year",
)

ORDER_COLUMNS = ("order_id", "customer_id", "order_date", "is_return", "has_coupon",
                 "net_amount", "promised_delivery_date", "delivered_date")
REVIEW_COLUMNS = ("order_id", "rating", "reviewed_at")


class PredictionSkipped(Exception):
    """Too little data to fit or evaluate a model; the message is the recorded skip reason."""


class PredictionConfigError(ValueError):
    """A configuration that cannot work (e.g. a cut-off without later data)."""


# --- dates and inputs ------------------------------------------------------------------------

def to_date(value) -> dt.date:
    return pd.Timestamp(value).date()


def resolve_dates(as_of, window_days=DEFAULT_WINDOW_DAYS, cutoff=None):
    """(cut-off date, as-of date) as datetime.date; the cut-off defaults to as_of - window.

    Raises PredictionConfigError for a window below 1 day or a cut-off on/after the as-of
    date (no later data to label from)."""
    window_days = int(window_days)
    if window_days < 1:
        raise PredictionConfigError(
            f"prediction_window_days must be at least 1 day, got {window_days}")
    as_of = to_date(as_of)
    cutoff = to_date(cutoff) if cutoff not in (None, "", "None", "none") else (
        as_of - dt.timedelta(days=window_days))
    if cutoff >= as_of:
        raise PredictionConfigError(
            f"prediction_cutoff_date {cutoff} is not before the as-of date {as_of}: there is no "
            "later data to take labels from. Choose a cut-off at least one window before "
            "as_of_date (or leave prediction_cutoff_date null).")
    return cutoff, as_of


def prepare_orders(orders: pd.DataFrame) -> pd.DataFrame:
    """The fct_orders columns the models read, with plain dtypes (dates as datetime64)."""
    frame = orders[list(ORDER_COLUMNS)].copy()
    for column in ("order_date", "promised_delivery_date", "delivered_date"):
        frame[column] = pd.to_datetime(frame[column]).dt.normalize()
    frame["is_return"] = frame["is_return"].astype(bool)
    frame["has_coupon"] = frame["has_coupon"].fillna(False).astype(bool)
    frame["net_amount"] = frame["net_amount"].astype(float).fillna(0.0)
    return frame[frame["customer_id"].notna()].reset_index(drop=True)


def prepare_reviews(reviews: pd.DataFrame | None) -> pd.DataFrame:
    if reviews is None or len(reviews) == 0:
        return pd.DataFrame({"order_id": pd.Series(dtype="str"),
                             "rating": pd.Series(dtype="float64"),
                             "reviewed_at": pd.Series(dtype="datetime64[ns]")})
    frame = reviews[list(REVIEW_COLUMNS)].copy()
    frame["reviewed_at"] = pd.to_datetime(frame["reviewed_at"]).dt.normalize()
    frame["rating"] = frame["rating"].astype(float)
    return frame


# --- features and labels ---------------------------------------------------------------------

def features_as_of(orders: pd.DataFrame, reviews: pd.DataFrame | None, date,
                   window_days: int = DEFAULT_WINDOW_DAYS) -> pd.DataFrame:
    """One row per customer with a purchase on or before `date`: FEATURES (plus customer_id
    and last_window_class helpers), from what was known at the end of `date` only.

    orders: prepare_orders() frame; reviews: prepare_reviews() frame."""
    date = pd.Timestamp(to_date(date))
    window_start = date - pd.Timedelta(days=window_days)
    known = orders[orders["order_date"] <= date]
    purchases = known[~known["is_return"]]
    if purchases.empty:
        return pd.DataFrame({"customer_id": pd.Series(dtype="str"),
                             **{name: pd.Series(dtype="float64") for name in FEATURES}})
    grouped = purchases.groupby("customer_id")
    result = pd.DataFrame({
        "first_order_date": grouped["order_date"].min(),
        "last_order_date": grouped["order_date"].max(),
        "frequency": grouped["order_id"].count().astype(float),
        "purchase_net_amount": grouped["net_amount"].sum(),
    })
    result["monetary"] = known.groupby("customer_id")["net_amount"].sum().reindex(result.index)
    result["return_count"] = (known[known["is_return"]].groupby("customer_id")["order_id"]
                              .count().reindex(result.index).fillna(0.0))
    result["recency_days"] = (date - result["last_order_date"]).dt.days.astype(float)
    result["tenure_days"] = (date - result["first_order_date"]).dt.days.astype(float)
    result["average_order_value"] = result["purchase_net_amount"] / result["frequency"]
    span = (result["last_order_date"] - result["first_order_date"]).dt.days.astype(float)
    # single purchase: no gap yet; its tenure is the best lower bound of the gap
    result["average_days_between_orders"] = np.where(
        result["frequency"] > 1, span / (result["frequency"] - 1).clip(lower=1),
        result["tenure_days"])
    # the latest gap next to the average one shows a customer slowing down or speeding up
    ordered = purchases.sort_values(["customer_id", "order_date"])
    previous = ordered[ordered.groupby("customer_id").cumcount(ascending=False) == 1]
    previous_date = previous.set_index("customer_id")["order_date"].reindex(result.index)
    result["last_gap_days"] = ((result["last_order_date"] - previous_date).dt.days.astype(float)
                               .fillna(result["tenure_days"]))
    recent = purchases[purchases["order_date"] > window_start].groupby("customer_id")
    result["orders_last_window"] = recent["order_id"].count().reindex(result.index).fillna(0.0)
    # the coming window a year ago: a shop's season (never later than `date`)
    year_ago = date - pd.Timedelta(days=365)
    season_end = min(year_ago + pd.Timedelta(days=window_days), date)
    season = purchases[(purchases["order_date"] > year_ago)
                       & (purchases["order_date"] <= season_end)]
    result["orders_same_window_last_year"] = (season.groupby("customer_id")["order_id"].count()
                                              .reindex(result.index).fillna(0.0))
    result["revenue_last_window"] = (
        known[known["order_date"] > window_start].groupby("customer_id")["net_amount"].sum()
        .reindex(result.index).fillna(0.0))
    result["coupon_order_share"] = (grouped["has_coupon"].sum() / result["frequency"]).astype(float)
    # late as known at `date`: promised on or before it, and not delivered by the promised date
    on_time = purchases["delivered_date"].notna() & (
        purchases["delivered_date"] <= purchases["promised_delivery_date"])
    late = purchases[(purchases["promised_delivery_date"] <= date) & ~on_time]
    result["late_delivery_count"] = (late.groupby("customer_id")["order_id"].count()
                                     .reindex(result.index).fillna(0.0))
    result["late_delivery_share"] = result["late_delivery_count"] / result["frequency"]
    written = reviews[reviews["reviewed_at"] <= date].merge(
        known[["order_id", "customer_id"]], on="order_id", how="inner")
    by_customer = written.groupby("customer_id")
    result["review_count"] = by_customer["order_id"].count().reindex(result.index).fillna(0.0)
    result["bad_review_count"] = (written[written["rating"] <= BAD_RATING_MAX]
                                  .groupby("customer_id")["order_id"].count()
                                  .reindex(result.index).fillna(0.0))
    result = result.reset_index().rename(columns={"index": "customer_id"})
    result["customer_id"] = result["customer_id"].astype(str)
    return result.sort_values("customer_id", ignore_index=True)


def churn_labels(orders, customer_ids, cutoff, window_days) -> pd.Series:
    """1 when the customer made no purchase in (cutoff, cutoff + window], else 0."""
    cutoff = pd.Timestamp(to_date(cutoff))
    end = cutoff + pd.Timedelta(days=window_days)
    later = orders[(~orders["is_return"]) & (orders["order_date"] > cutoff)
                   & (orders["order_date"] <= end)]
    bought = set(later["customer_id"].astype(str))
    return pd.Series([0 if c in bought else 1 for c in customer_ids], dtype="int64")


def days_to_class(days) -> str:
    if pd.isna(days) or days > 90:
        return "90+"
    return "0-30" if days <= 30 else "30-60" if days <= 60 else "60-90"


def next_purchase_labels(orders, customer_ids, cutoff) -> pd.Series:
    """Class of the days from the cut-off to the next purchase (none within 90 days: 90+)."""
    cutoff = pd.Timestamp(to_date(cutoff))
    later = orders[(~orders["is_return"]) & (orders["order_date"] > cutoff)]
    first = later.groupby(later["customer_id"].astype(str))["order_date"].min()
    days = (first - cutoff).dt.days
    return pd.Series([days_to_class(days.get(c, np.nan)) for c in customer_ids], dtype="str")


def window_revenue(orders, customer_ids, start, end) -> pd.Series:
    """Net revenue (purchases less returns) per customer with start < order_date <= end."""
    start, end = pd.Timestamp(to_date(start)), pd.Timestamp(to_date(end))
    inside = orders[(orders["order_date"] > start) & (orders["order_date"] <= end)]
    revenue = inside.groupby(inside["customer_id"].astype(str))["net_amount"].sum()
    return pd.Series([float(revenue.get(c, 0.0)) for c in customer_ids], dtype="float64")


def value_class(revenue: pd.Series, high_threshold: float) -> pd.Series:
    """low: <= 0; medium: up to high_threshold; high: above it."""
    values = np.where(revenue <= 0, "low", np.where(revenue > high_threshold, "high", "medium"))
    return pd.Series(values, dtype="str")


# --- fitting ---------------------------------------------------------------------------------

def signed_log1p(values):
    values = np.asarray(values, dtype=float)
    return np.sign(values) * np.log1p(np.abs(values))


@dataclass(frozen=True)
class Candidate:
    """One estimator the model is chosen from (on the validation window, see _choose)."""
    family: str            # "logistic regression" or "gradient boosting"
    balanced: bool = False  # class weights inversely proportional to class frequencies

    @property
    def label(self) -> str:
        return self.family + (" (balanced classes)" if self.balanced else "")


LOGISTIC = Candidate("logistic regression")


def candidates(name: str) -> list[Candidate]:
    """Churn is judged on its ranking (ROC AUC) and its probability is used as it is, so no
    class weights; the macro-F1 models also try balanced weights, as macro F1 counts every
    class equally. The logistic regression comes first: it wins a tie."""
    weights = (False,) if name == "churn" else (False, True)
    return [Candidate(family, balanced) for family in ("logistic regression", "gradient boosting")
            for balanced in weights]


def make_estimator(seed: int = DEFAULT_SEED, candidate: Candidate = LOGISTIC):
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
    return features[list(columns)].astype(float).fillna(0.0).to_numpy()


def check_classes(labels: pd.Series, classes, what: str, minimum: int = MIN_CLASS_CUSTOMERS):
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


# The metric each classifier is judged on against its baseline: ROC AUC ranks churn risk (the
# probability is what the retention team acts on); macro F1 weighs every class equally, so a
# model cannot win by predicting the majority class.
PRIMARY_METRICS = {"churn": "roc_auc", "next_purchase": "macro_f1", "clv": "macro_f1"}


def class_balance(labels: pd.Series, classes) -> str:
    shares = labels.value_counts(normalize=True)
    return ", ".join(f"{c}: {shares.get(c, 0.0):.3f}" for c in classes)


@dataclass
class Run:
    """Everything one model produces: evaluation, refitted estimator, scores for today."""
    name: str
    cutoff: dt.date
    as_of: dt.date
    window_days: int
    classes: tuple
    baseline_name: str
    metrics: dict = field(default_factory=dict)
    baseline_metrics: dict = field(default_factory=dict)
    train_rows: int = 0
    test_rows: int = 0
    scored_rows: int = 0
    balance: str | None = None
    estimator: object | None = None          # the chosen candidate, refitted on everything
    explainer: Pipeline | None = None        # churn: a logistic regression for the drivers
    class_weights: np.ndarray | None = None  # of the refitted estimator (see unweighted)
    today_classes: np.ndarray | None = None  # predicted class per scored customer
    chosen: Candidate = LOGISTIC
    choice: str | None = None                # how the candidate was chosen, in words
    scores: pd.DataFrame | None = None
    today_features: pd.DataFrame | None = None
    extra: dict = field(default_factory=dict)
    improvement: Improvement | None = None   # on PRIMARY_METRICS[name], held-out customers
    holdout: pd.DataFrame | None = None      # churn: truth and probability, held-out customers
    skip_reason: str | None = None


def _split(features, labels, seed):
    index = np.arange(len(labels))
    train, test = train_test_split(index, test_size=TEST_SHARE, random_state=seed,
                                   stratify=labels.to_numpy())
    return np.sort(train), np.sort(test)


def run_model(name, orders, reviews, as_of, window_days=DEFAULT_WINDOW_DAYS, cutoff=None,
              seed=DEFAULT_SEED) -> Run:
    """Fit, evaluate on held-out customers and score today for model `name` (churn,
    next_purchase, clv). Insufficient data: a Run with skip_reason and no scores."""
    cutoff, as_of = resolve_dates(as_of, window_days, cutoff)
    window_days = int(window_days)
    orders = prepare_orders(orders)
    reviews = prepare_reviews(reviews)
    spec = {
        "churn": (CHURN_CLASSES, "same as last period"),
        "next_purchase": (NEXT_PURCHASE_CLASSES, "majority class"),
        "clv": (VALUE_CLASSES, "same as last period"),
    }[name]
    run = Run(name=name, cutoff=cutoff, as_of=as_of, window_days=window_days,
              classes=spec[0], baseline_name=spec[1])
    try:
        _run(run, orders, reviews, seed)
    except PredictionSkipped as skipped:
        run.skip_reason = str(skipped)
        run.estimator = run.explainer = None
        run.scores = None
    return run


def label_horizon(name: str, label_days: int) -> int:
    """Days after a cut-off its labels look at: next purchase classes need 90."""
    return NEXT_PURCHASE_HORIZON_DAYS if name == "next_purchase" else label_days


def examples(name, orders, reviews, cutoff, label_days, window):
    """(features as of `cutoff`, raw labels, baseline) of model `name`; clv's labels and
    baseline are revenues, classed later with one threshold."""
    features = features_as_of(orders, reviews, cutoff, window)
    if name == "next_purchase":
        features = features[features["frequency"] >= 2].reset_index(drop=True)
    ids = features["customer_id"]
    if name == "churn":
        return (features, churn_labels(orders, ids, cutoff, label_days),
                (features["orders_last_window"] == 0).astype("int64"))
    if name == "next_purchase":
        return features, next_purchase_labels(orders, ids, cutoff), None
    end = pd.Timestamp(to_date(cutoff)) + pd.Timedelta(days=label_days)
    return (features, window_revenue(orders, ids, cutoff, end),
            features["revenue_last_window"].astype(float))


def earlier_windows(name, orders, reviews, cutoff, label_days, window, to_class):
    """Up to STACKED_WINDOWS (features, labels) pairs at the cut-offs one, two, ... label
    horizons before `cutoff`, latest first. Their labels end on or before `cutoff`, so they
    can train a model evaluated after it. Stops where history runs out (too few customers)."""
    horizon = label_horizon(name, label_days)
    found = []
    for k in range(1, STACKED_WINDOWS + 1):
        earlier = cutoff - dt.timedelta(days=k * horizon)
        features, labels, _ = examples(name, orders, reviews, earlier, label_days, window)
        if len(features) < MIN_CUSTOMERS:
            break
        found.append((features, to_class(labels)))
    return found


def stack(parts):
    """Concatenate (features, labels) pairs into one training set."""
    return (pd.concat([features for features, _ in parts], ignore_index=True),
            pd.concat([pd.Series(labels).reset_index(drop=True) for _, labels in parts],
                      ignore_index=True))


def primary_score(name, truth, probabilities, classes) -> float:
    """The model's primary metric (PRIMARY_METRICS) from class probabilities."""
    if PRIMARY_METRICS[name] == "roc_auc":
        return roc_auc(truth, probabilities[:, 1])
    return macro_f1(truth, np.array(classes, dtype=object)[probabilities.argmax(axis=1)])


def _choose(name, classes, earlier, seed) -> tuple[Candidate, str]:
    """The candidate with the best primary metric on the validation window (the latest
    earlier window, whose labels end on the cut-off), each candidate trained on the windows
    before it. The held-out customers are never looked at. Too little history: the logistic
    regression, and the reason."""
    if len(earlier) < 2:
        return LOGISTIC, ("logistic regression kept: fewer than two label windows of history "
                          "before the cut-off, none left to choose on")
    (valid_features, valid_labels), training = earlier[0], earlier[1:]
    train_features, train_labels = stack(training)
    try:
        check_classes(train_labels, classes, f"{name} (choice of estimator)")
        check_classes(valid_labels, classes, f"{name} (validation window)", 2)
    except PredictionSkipped as thin:
        return LOGISTIC, f"logistic regression kept: {thin}"
    scores = {}
    for candidate in candidates(name):
        estimator = fit(train_features, train_labels, seed, candidate)
        scores[candidate] = primary_score(
            name, valid_labels.to_numpy(), predict_proba(estimator, valid_features, classes),
            classes)
    best = max(scores, key=scores.get)  # max keeps the first of equals: the simpler model
    listed = ", ".join(f"{c.label} {s:.4f}" for c, s in scores.items())
    return best, (f"{best.label}: best {PRIMARY_METRICS[name]} on the validation window "
                  f"({len(valid_labels)} customers; {listed})")


def _run(run: Run, orders, reviews, seed):
    name, cutoff, as_of, window = run.name, run.cutoff, run.as_of, run.window_days
    if name == "next_purchase" and (as_of - cutoff).days < NEXT_PURCHASE_HORIZON_DAYS:
        raise PredictionSkipped(
            f"next_purchase: only {(as_of - cutoff).days} days of data after the cut-off "
            f"{cutoff}, {NEXT_PURCHASE_HORIZON_DAYS} needed to label the 90+ class")
    # labels never reach past the as-of date
    label_end = min(cutoff + dt.timedelta(days=window), as_of)
    label_days = (label_end - cutoff).days
    labelled_orders = orders[orders["order_date"] <= pd.Timestamp(as_of)]
    features, labels, baseline = examples(name, labelled_orders, reviews, cutoff, label_days,
                                          window)
    today = features_as_of(labelled_orders, reviews, as_of, window)
    if name == "next_purchase":
        today = today[today["frequency"] >= 2].reset_index(drop=True)
    if len(features) < MIN_CUSTOMERS:
        raise PredictionSkipped(
            f"{name}: {len(features)} customers with purchases by the cut-off {cutoff}, "
            f"at least {MIN_CUSTOMERS} needed")
    to_class = lambda values: values  # noqa: E731 (churn and next purchase: labels as they are)
    if name == "clv":
        # split on "bought again or not" first, so the thresholds come from training only
        train, test = _split(features, (labels > 0).astype(int), seed)
        positive = labels.iloc[train][labels.iloc[train] > 0]
        if len(positive) < 2 * MIN_CLASS_CUSTOMERS:
            raise PredictionSkipped(
                f"clv: {len(positive)} training customers bought after the cut-off, "
                f"at least {2 * MIN_CLASS_CUSTOMERS} needed")
        threshold = float(positive.median())
        run.extra["high_threshold"] = threshold
        to_class = lambda revenue: value_class(revenue, threshold)  # noqa: E731
        labels, baseline = to_class(labels), to_class(baseline)
        check_classes(labels, run.classes, name)
        check_classes(labels.iloc[train], run.classes, name + " (training customers)", 2)
    else:
        check_classes(labels, run.classes, name)
        train, test = _split(features, labels, seed)
    run.balance = class_balance(labels, run.classes)
    earlier = earlier_windows(name, labelled_orders, reviews, cutoff, label_days, window,
                              to_class)
    run.chosen, run.choice = _choose(name, run.classes, earlier, seed)
    # evaluated: trained on the cut-off's training customers and the earlier windows but the
    # oldest (the same number of windows as the model refitted for today)
    latest = (features.iloc[train], labels.iloc[train])
    train_features, train_labels = stack([latest, *earlier[:STACKED_WINDOWS - 1]])
    run.train_rows, run.test_rows = len(train_labels), len(test)
    evaluated = fit(train_features, train_labels, seed, run.chosen)
    weights = class_weights(train_labels, run.classes, run.chosen)
    proba = unweighted(predict_proba(evaluated, features.iloc[test], run.classes), weights)
    predicted = decide(proba, weights, run.classes)
    truth = labels.iloc[test].to_numpy()
    if name == "churn":
        predicted = predicted.astype("int64")
    run.metrics = metrics_of(truth, predicted, proba, run.classes)
    if baseline is None:  # majority class of the training customers
        majority = labels.iloc[train].value_counts().sort_index().idxmax()
        base = np.array([majority] * len(test), dtype=object)
        run.extra["majority_class"] = majority
    else:
        base = baseline.iloc[test].to_numpy()
    run.baseline_metrics = metrics_of(truth, base, one_hot(base, run.classes), run.classes)
    if name == "churn":
        run.improvement = paired_bootstrap(roc_auc, truth, proba[:, 1], base.astype(float),
                                           seed=seed)
        run.extra["churn_share"] = float(labels.mean())
        run.holdout = pd.DataFrame({"truth": truth.astype("int64"), "probability": proba[:, 1]})
    else:
        run.improvement = paired_bootstrap(macro_f1, truth, predicted, base, seed=seed)
    run.extra["estimator"] = run.chosen.label
    # refit on every labelled customer of the latest windows, score today
    all_features, all_labels = stack([(features, labels), *earlier[:STACKED_WINDOWS - 1]])
    run.estimator = fit(all_features, all_labels, seed, run.chosen)
    if name == "churn":
        run.explainer = (run.estimator if run.chosen == LOGISTIC
                         else fit(all_features, all_labels, seed, LOGISTIC))
    run.class_weights = class_weights(all_labels, run.classes, run.chosen)
    run.today_features = today
    proba = unweighted(predict_proba(run.estimator, today, run.classes), run.class_weights)
    run.scores = pd.DataFrame(proba, columns=[str(c) for c in run.classes])
    run.today_classes = decide(proba, run.class_weights, run.classes)
    run.scored_rows = len(today)


# --- outputs for the dbt models --------------------------------------------------------------

def _empty(columns: dict) -> pd.DataFrame:
    return pd.DataFrame({name: pd.Series(dtype=dtype) for name, dtype in columns.items()})


def _dates(value, n) -> pd.Series:
    return pd.Series([value] * n, dtype=pd.ArrowDtype(pa.date32()))


def coefficients(estimator: Pipeline) -> np.ndarray:
    """Standardised coefficients of the positive class (binary model)."""
    return estimator.named_steps["model"].coef_[0]


def churn_drivers(run: Run) -> pd.DataFrame:
    """One row per feature: coefficient on the standardised (log) feature, importance =
    |coefficient| / sum |coefficients|, rank by importance, and its direction."""
    columns = {"feature": "str", "importance_rank": "int64", "coefficient": "float64",
               "importance": "float64", "direction": "str"}
    if run.explainer is None:
        return _empty(columns)
    coef = coefficients(run.explainer)
    total = float(np.abs(coef).sum()) or 1.0
    frame = pd.DataFrame({"feature": pd.Series(FEATURES, dtype="str"),
                          "coefficient": coef.astype(float),
                          "importance": np.abs(coef) / total})
    frame["direction"] = pd.Series(np.where(coef > 0, "raises churn", "lowers churn"),
                                   dtype="str")
    frame = frame.sort_values(["importance", "feature"], ascending=[False, True],
                              ignore_index=True)
    frame["importance_rank"] = np.arange(1, len(frame) + 1, dtype="int64")
    return frame[list(columns)]


def top_drivers(estimator: Pipeline, features: pd.DataFrame, k: int = TOP_DRIVERS) -> list[str]:
    """Per customer: the k features adding most to its churn score (coefficient x standardised
    value, positive contributions only), comma-separated, largest first."""
    with threadpool_limits(limits=1):
        z = estimator[:-1].transform(matrix(features))
    contribution = z * coefficients(estimator)
    names = np.array(FEATURES)
    out = []
    for row in contribution:
        order = [i for i in np.argsort(-row, kind="stable") if row[i] > 0][:k]
        out.append(", ".join(names[order]))
    return out


def churn_predictions(run: Run) -> pd.DataFrame:
    columns = {"customer_id": "str", "scoring_date": "object", "churn_window_days": "int64",
               "churn_probability": "float64", "is_predicted_churn": "bool",
               "top_drivers": "str"}
    if run.scores is None:
        frame = _empty(columns)
        frame["scoring_date"] = _dates(run.as_of, 0)
        return frame
    n = len(run.today_features)
    probability = run.scores["1"].to_numpy()
    return pd.DataFrame({
        "customer_id": pd.Series(run.today_features["customer_id"].to_numpy(), dtype="str"),
        "scoring_date": _dates(run.as_of, n),
        "churn_window_days": pd.Series([run.window_days] * n, dtype="int64"),
        "churn_probability": probability.astype(float),
        "is_predicted_churn": probability >= 0.5,
        "top_drivers": pd.Series(top_drivers(run.explainer, run.today_features), dtype="str"),
    })


def reliability_table(truth, probability, bins: int = RELIABILITY_BINS) -> pd.DataFrame:
    """Calibration of a predicted probability: equal-width bins [k / bins, (k + 1) / bins)
    (the last one closed at 1), each with its customers, mean predicted probability and the
    observed share of positives. A calibrated model has the two close in every bin; empty bins
    are left out."""
    probability = np.asarray(probability, dtype=float)
    truth = np.asarray(truth, dtype=float)
    number = np.minimum((probability * bins).astype(int), bins - 1)
    frame = pd.DataFrame({"probability_bin": number + 1, "probability": probability,
                          "truth": truth})
    table = frame.groupby("probability_bin").agg(
        customers=("truth", "size"), mean_predicted_probability=("probability", "mean"),
        observed_share=("truth", "mean")).reset_index()
    table["probability_bin"] = table["probability_bin"].astype("int64")
    table["customers"] = table["customers"].astype("int64")
    table.insert(1, "bin_lower", (table["probability_bin"] - 1) / bins)
    table.insert(2, "bin_upper", table["probability_bin"] / bins)
    return table


def churn_reliability(run: Run) -> pd.DataFrame:
    """The churn probability's reliability table on the held-out customers (the evaluated
    model, not the one refitted for today), with the cut-off it was measured at."""
    columns = {"probability_bin": "int64", "bin_lower": "float64", "bin_upper": "float64",
               "customers": "int64", "mean_predicted_probability": "float64",
               "observed_churn_share": "float64", "feature_cutoff_date": "object"}
    if run.holdout is None:
        frame = _empty(columns)
        frame["feature_cutoff_date"] = _dates(run.cutoff, 0)
        return frame
    table = reliability_table(run.holdout["truth"], run.holdout["probability"]).rename(
        columns={"observed_share": "observed_churn_share"})
    table["feature_cutoff_date"] = _dates(run.cutoff, len(table))
    return table[list(columns)]


def next_purchase_predictions(run: Run) -> pd.DataFrame:
    probability_columns = ["probability_0_30", "probability_30_60", "probability_60_90",
                           "probability_90_plus"]
    columns = {"customer_id": "str", "scoring_date": "object", "predicted_class": "str",
               **{c: "float64" for c in probability_columns}}
    if run.scores is None:
        frame = _empty(columns)
        frame["scoring_date"] = _dates(run.as_of, 0)
        return frame
    n = len(run.today_features)
    proba = run.scores.to_numpy()
    frame = pd.DataFrame({
        "customer_id": pd.Series(run.today_features["customer_id"].to_numpy(), dtype="str"),
        "scoring_date": _dates(run.as_of, n),
        "predicted_class": pd.Series(run.today_classes, dtype="str"),
    })
    for index, column in enumerate(probability_columns):
        frame[column] = proba[:, index].astype(float)
    return frame


def expected_lifespan_years(churn_share: float, window_days: int) -> float:
    """1 / annual churn rate, the window's churn share compounded to 365 days; capped."""
    annual = 1.0 - (1.0 - churn_share) ** (365.0 / window_days)
    return float(min(1.0 / annual, MAX_LIFESPAN_YEARS)) if annual > 0 else MAX_LIFESPAN_YEARS


def historical_clv(features: pd.DataFrame, lifespan_years: float,
                   window_days: int = DEFAULT_WINDOW_DAYS) -> pd.DataFrame:
    """revenue_to_date, average_order_value, purchase_frequency_per_year (purchases per year of
    tenure, tenure at least one window), expected_lifespan_years, historical_clv (= AOV x
    frequency x lifespan)."""
    years = features["tenure_days"].astype(float).clip(lower=window_days) / 365.0
    per_year = features["frequency"].astype(float) / years
    aov = features["average_order_value"].astype(float)
    return pd.DataFrame({
        "revenue_to_date": features["monetary"].astype(float).to_numpy(),
        "average_order_value": aov.to_numpy(),
        "purchase_frequency_per_year": per_year.to_numpy(),
        "expected_lifespan_years": np.full(len(features), float(lifespan_years)),
        "historical_clv": (aov * per_year * lifespan_years).to_numpy(),
    })


def clv_predictions(run: Run, churn_share: float | None) -> pd.DataFrame:
    """Value class predictions plus historical CLV; churn_share from the churn run (its
    latest-window churn share) gives the expected lifespan."""
    columns = {"customer_id": "str", "scoring_date": "object", "predicted_value_class": "str",
               "probability_low": "float64", "probability_medium": "float64",
               "probability_high": "float64", "revenue_to_date": "float64",
               "average_order_value": "float64", "purchase_frequency_per_year": "float64",
               "expected_lifespan_years": "float64", "historical_clv": "float64"}
    if run.scores is None or churn_share is None:
        frame = _empty(columns)
        frame["scoring_date"] = _dates(run.as_of, 0)
        return frame
    today = run.today_features
    n = len(today)
    proba = run.scores.to_numpy()
    frame = pd.DataFrame({
        "customer_id": pd.Series(today["customer_id"].to_numpy(), dtype="str"),
        "scoring_date": _dates(run.as_of, n),
        "predicted_value_class": pd.Series(run.today_classes, dtype="str"),
        "probability_low": proba[:, 0], "probability_medium": proba[:, 1],
        "probability_high": proba[:, 2],
    })
    lifespan = expected_lifespan_years(churn_share, run.window_days)
    history = historical_clv(today, lifespan, run.window_days)
    for column in history.columns:
        frame[column] = history[column].to_numpy()
    return frame[list(columns)]


def label_window_end(run: Run):
    """Last day of the label window: cut-off + window, at most the as-of date."""
    if run.cutoff is None or run.as_of is None:
        return None
    return min(run.cutoff + dt.timedelta(days=run.window_days), run.as_of)


def model_metrics(runs: list[Run]) -> pd.DataFrame:
    """One row per model and metric (model vs baseline on held-out customers); a skipped model
    gets one row, metric 'skipped', with its reason."""
    return metrics_frame(metric_rows(runs))


def metric_rows(runs: list[Run]) -> list[dict]:
    """model_metrics rows (dicts) of the classifier runs."""
    rows = []
    for run in runs:
        common = {
            "model_name": run.name, "baseline_name": run.baseline_name,
            "feature_cutoff_date": run.cutoff,
            "label_window_end_date": label_window_end(run),
            "scoring_date": run.as_of, "train_rows": run.train_rows,
            "test_rows": run.test_rows, "scored_rows": run.scored_rows,
            "class_balance": run.balance, "skip_reason": run.skip_reason,
            "estimator": None if run.skip_reason else run.chosen.label,
            "estimator_choice": run.choice,
        }
        if run.skip_reason:
            rows.append({**common, "metric": "skipped", "model_value": np.nan,
                         "baseline_value": np.nan})
            continue
        for metric, value in run.metrics.items():
            primary = metric == PRIMARY_METRICS[run.name]
            rows.append({**common, "metric": metric, "model_value": value,
                         "baseline_value": run.baseline_metrics.get(metric, np.nan),
                         **improvement_columns(run.improvement if primary else None, primary)})
    return rows


def improvement_columns(improvement: Improvement | None, primary: bool) -> dict:
    """model_metrics' primary-metric columns: the improvement over the baseline and its
    bootstrap 95 % interval, and beats_baseline (interval above zero); null on other rows."""
    if improvement is None:
        return {"is_primary_metric": primary, "improvement": np.nan,
                "improvement_ci_low": np.nan, "improvement_ci_high": np.nan,
                "beats_baseline": None}
    return {"is_primary_metric": primary, "improvement": improvement.improvement,
            "improvement_ci_low": improvement.ci_low,
            "improvement_ci_high": improvement.ci_high,
            "beats_baseline": improvement.beats_baseline}


def metrics_frame(rows: list[dict]) -> pd.DataFrame:
    """model_metrics rows (of any model) as the typed model_metrics table."""
    frame = pd.DataFrame(rows)
    order = ["model_name", "metric", "model_value", "baseline_name", "baseline_value",
             "seasonal_baseline_name", "seasonal_baseline_value", "is_primary_metric",
             "improvement", "improvement_ci_low", "improvement_ci_high", "beats_baseline",
             "feature_cutoff_date", "label_window_end_date", "scoring_date", "train_rows",
             "test_rows", "scored_rows", "class_balance", "estimator", "estimator_choice",
             "skip_reason"]
    frame = frame.reindex(columns=order)  # the classifiers have no seasonal baseline
    for column in ("feature_cutoff_date", "label_window_end_date", "scoring_date"):
        frame[column] = pd.Series(frame[column].tolist(),
                                  dtype=pd.ArrowDtype(pa.date32()))
    for column in ("train_rows", "test_rows", "scored_rows"):
        frame[column] = frame[column].astype("int64")
    for column in ("model_name", "metric", "baseline_name", "seasonal_baseline_name",
                   "class_balance", "estimator", "estimator_choice", "skip_reason"):
        frame[column] = frame[column].astype("str").where(frame[column].notna(), None)
    for column in ("model_value", "baseline_value", "seasonal_baseline_value", "improvement",
                   "improvement_ci_low", "improvement_ci_high"):
        frame[column] = frame[column].astype(float)
    frame["is_primary_metric"] = frame["is_primary_metric"].astype("boolean").fillna(False).astype(bool)
    frame["beats_baseline"] = frame["beats_baseline"].astype("boolean")
    return frame


# --- artifacts -------------------------------------------------------------------------------

def save_artifact(run: Run, directory) -> Path | None:
    """joblib file <directory>/<name>.joblib: the refitted estimator with scikit-learn's
    version, the training window, the feature list and the classes. Skipped: None, and an
    older file of that model is removed."""
    directory = Path(directory)
    path = directory / f"{run.name}.joblib"
    if run.estimator is None:
        path.unlink(missing_ok=True)  # no stale model from an earlier build
        return None
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


# --- wiring for the dbt Python models --------------------------------------------------------

def meta_date(rendered) -> str | None:
    """A date var rendered into meta as "date <value>" (so that dbt keeps it a string); None
    when the var is null."""
    value = str(rendered or "").removeprefix("date").strip()
    return None if value in ("", "None", "none", "null") else value


def settings_from_meta(meta: dict) -> dict:
    """The `predictions` meta block (strings rendered from vars) as typed settings."""
    settings = meta["predictions"]
    cutoff, as_of = meta_date(settings.get("cutoff_date")), meta_date(settings.get("as_of_date"))
    return {
        "window_days": int(settings.get("window_days", DEFAULT_WINDOW_DAYS)),
        "cutoff": cutoff,
        "as_of": as_of,
        "seed": int(settings.get("seed", DEFAULT_SEED)),
        "artifact_dir": settings.get("artifact_dir"),
    }


# dbt-duckdb runs the Python models of one build in the dbt process, and several of them need
# the same run (churn: churn_predictions, churn_drivers, churn_reliability, clv_predictions,
# model_metrics). A run is computed once per process for the same model, settings and input
# data; dbt's threads asking for it at once wait for the first.
_RUNS: dict = {}
_RUN_LOCKS: dict = {}
_RUNS_LOCK = threading.Lock()
MAX_KEPT_RUNS = 6


def fingerprint(frame: pd.DataFrame | None, columns) -> tuple | None:
    """Shape and content hash of the columns a run reads (None for no frame)."""
    if frame is None:
        return None
    used = frame[[c for c in columns if c in frame.columns]]
    return used.shape, int(pd.util.hash_pandas_object(used, index=False).sum())


def run_configured(name: str, orders, reviews, customer_features, settings: dict) -> Run:
    """Run model `name` on the frames a dbt model loads (fct_orders, int_reviews_cleaned,
    customer_features) with settings_from_meta() settings. The as-of date is the var, else
    customer_features' as_of_date (the int_as_of_date model, so every mart agrees on "today").
    Computed once per process for the same inputs (the Run is shared: do not change it)."""
    as_of = resolve_as_of(settings["as_of"], customer_features)
    if as_of is None:
        return skipped_run(name, settings["window_days"], "no customer purchases to learn from")
    key = (name, str(as_of), tuple(sorted((k, str(v)) for k, v in settings.items())),
           fingerprint(orders, ORDER_COLUMNS), fingerprint(reviews, REVIEW_COLUMNS))
    with _RUNS_LOCK:
        lock = _RUN_LOCKS.setdefault(key, threading.Lock())
    with lock:
        if key not in _RUNS:
            run = run_model(name, orders, reviews, as_of, settings["window_days"],
                            settings["cutoff"], settings["seed"])
            with _RUNS_LOCK:
                while len(_RUNS) >= MAX_KEPT_RUNS:  # the oldest goes (dicts keep order)
                    _RUN_LOCKS.pop(next(iter(_RUNS)), None)
                    _RUNS.pop(next(iter(_RUNS)))
                _RUNS[key] = run
        return _RUNS[key]


def resolve_as_of(as_of_setting, customer_features):
    """The as_of_date var, else customer_features' as_of_date; None without customers."""
    if as_of_setting is not None:
        return as_of_setting
    dates = customer_features["as_of_date"].dropna()
    return dates.iloc[0] if len(dates) else None


def skipped_run(name, window_days, reason) -> Run:
    baseline = {"next_purchase": "majority class"}.get(name, "same as last period")
    classes = {"churn": CHURN_CLASSES, "next_purchase": NEXT_PURCHASE_CLASSES,
               "clv": VALUE_CLASSES}[name]
    return Run(name=name, cutoff=None, as_of=None, window_days=int(window_days),
               classes=classes, baseline_name=baseline, skip_reason=f"{name}: {reason}")
