"""A model's Run: fitted, evaluated on held-out customers, and scored for today.

Honest time split
-----------------
* Features as of the cut-off (features.features_as_of), labels from the window after it
  (labels.py).
* Evaluation: the labelled customers are split once with a fixed seed (stratified,
  ``TEST_SHARE`` held out); every metric in ``model_metrics`` is measured on the held-out
  customers only, next to a naive baseline measured on the same customers. The model is
  trained on the training customers plus the customers of the ``STACKED_WINDOWS - 1`` earlier
  label windows (cut-offs one and two label horizons before; their labels end on or before
  the cut-off, so nothing of the held-out customers' label window is seen).
* Choice of estimator (:func:`_choose`): on the *validation window*, the earlier window whose
  labels end on the cut-off, each candidate (tasks.candidates) trained on the windows before
  it; the best primary metric wins. The held-out customers are never used to choose.
* Scores for "today": the chosen estimator is refitted on *all* labelled customers of the
  latest windows (features as of each cut-off, labels up to the as-of date) and applied to
  features computed the same way as of the as-of date. That refitted model is the one saved
  as an artifact.

What differs between the models (classes, labels, baseline, primary metric, class weights
tried) is each one's Task (tasks.py).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from sklearn.model_selection import train_test_split
from sklearn.pipeline import Pipeline

from ecommerce_warehouse.evaluation import Improvement, macro_f1, paired_bootstrap, roc_auc
from ecommerce_warehouse.predictions.features import features_as_of
from ecommerce_warehouse.predictions.fitting import (
    LOGISTIC,
    MIN_CLASS_CUSTOMERS,
    MIN_CUSTOMERS,
    Candidate,
    check_classes,
    class_balance,
    class_weights,
    decide,
    fit,
    metrics_of,
    one_hot,
    predict_proba,
    unweighted,
)
from ecommerce_warehouse.predictions.inputs import (
    DEFAULT_SEED,
    DEFAULT_WINDOW_DAYS,
    PredictionSkipped,
    prepare_orders,
    prepare_reviews,
    resolve_dates,
)
from ecommerce_warehouse.predictions.labels import value_class
from ecommerce_warehouse.predictions.tasks import TASKS, Task, candidates

TEST_SHARE = 0.3
STACKED_WINDOWS = 3  # label windows a model is trained on: the latest and two before it


@dataclass
class Run:
    """Everything one model produces: evaluation, refitted estimator, scores for today."""

    name: str
    cutoff: dt.date | None                   # None: skipped before it had dates (skipped_run)
    as_of: dt.date | None
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
    improvement: Improvement | None = None   # on the task's primary metric, held-out customers
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
    task = TASKS[name]
    run = Run(name=name, cutoff=cutoff, as_of=as_of, window_days=window_days,
              classes=task.classes, baseline_name=task.baseline_name)
    try:
        _run(run, orders, reviews, seed)
    except PredictionSkipped as skipped:
        run.skip_reason = str(skipped)
        run.estimator = run.explainer = None
        run.scores = None
    return run


def examples(task: Task, orders, reviews, cutoff, label_days, window):
    """(features as of `cutoff`, raw labels, baseline) of the task's customers; the baseline
    is None for the majority class, and clv's labels and baseline are revenues, classed later
    with one threshold."""
    features = task.customers(features_as_of(orders, reviews, cutoff, window))
    labels = task.labels(orders, features["customer_id"], cutoff, label_days)
    return features, labels, None if task.baseline is None else task.baseline(features)


def earlier_windows(task: Task, orders, reviews, cutoff, label_days, window, to_class):
    """Up to STACKED_WINDOWS (features, labels) pairs at the cut-offs one, two, ... label
    horizons before `cutoff`, latest first. Their labels end on or before `cutoff`, so they
    can train a model evaluated after it. Stops where history runs out (too few customers)."""
    horizon = task.label_horizon(label_days)
    found = []
    for k in range(1, STACKED_WINDOWS + 1):
        earlier = cutoff - dt.timedelta(days=k * horizon)
        features, labels, _ = examples(task, orders, reviews, earlier, label_days, window)
        if len(features) < MIN_CUSTOMERS:
            break
        found.append((features, to_class(labels)))
    return found


def stack(parts):
    """Concatenate (features, labels) pairs into one training set."""
    return (pd.concat([features for features, _ in parts], ignore_index=True),
            pd.concat([pd.Series(labels).reset_index(drop=True) for _, labels in parts],
                      ignore_index=True))


def primary_score(task: Task, truth, probabilities) -> float:
    """The task's primary metric from class probabilities."""
    if task.primary_metric == "roc_auc":
        return roc_auc(truth, probabilities[:, 1])
    return macro_f1(truth, np.array(task.classes, dtype=object)[probabilities.argmax(axis=1)])


def _choose(task: Task, earlier, seed) -> tuple[Candidate, str]:
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
        check_classes(train_labels, task.classes, f"{task.name} (choice of estimator)")
        check_classes(valid_labels, task.classes, f"{task.name} (validation window)", 2)
    except PredictionSkipped as thin:
        return LOGISTIC, f"logistic regression kept: {thin}"
    scores: dict[Candidate, float] = {}
    for candidate in candidates(task):
        estimator = fit(train_features, train_labels, seed, candidate)
        scores[candidate] = primary_score(
            task, valid_labels.to_numpy(), predict_proba(estimator, valid_features, task.classes))
    best = max(scores, key=scores.__getitem__)  # the first of equals: the simpler model
    listed = ", ".join(f"{c.label} {s:.4f}" for c, s in scores.items())
    return best, (f"{best.label}: best {task.primary_metric} on the validation window "
                  f"({len(valid_labels)} customers; {listed})")


def _run(run: Run, orders, reviews, seed):
    task = TASKS[run.name]
    name, cutoff, as_of, window = run.name, run.cutoff, run.as_of, run.window_days
    assert cutoff is not None and as_of is not None    # run_model made the Run with its dates
    if task.horizon_days is not None and (as_of - cutoff).days < task.horizon_days:
        raise PredictionSkipped(
            f"{name}: only {(as_of - cutoff).days} days of data after the cut-off "
            f"{cutoff}, {task.horizon_days} needed to label the {task.classes[-1]} class")
    # labels never reach past the as-of date
    label_end = min(cutoff + dt.timedelta(days=window), as_of)
    label_days = (label_end - cutoff).days
    labelled_orders = orders[orders["order_date"] <= pd.Timestamp(as_of)]
    features, labels, baseline = examples(task, labelled_orders, reviews, cutoff, label_days,
                                          window)
    today = task.customers(features_as_of(labelled_orders, reviews, as_of, window))
    if len(features) < MIN_CUSTOMERS:
        raise PredictionSkipped(
            f"{name}: {len(features)} customers with purchases by the cut-off {cutoff}, "
            f"at least {MIN_CUSTOMERS} needed")
    to_class = lambda values: values  # noqa: E731 (labels that are classes: as they are)
    if task.revenue_labels:
        # split on "bought again or not" first, so the thresholds come from training only
        train, test = _split(features, (labels > 0).astype(int), seed)
        positive = labels.iloc[train][labels.iloc[train] > 0]
        if len(positive) < 2 * MIN_CLASS_CUSTOMERS:
            raise PredictionSkipped(
                f"{name}: {len(positive)} training customers bought after the cut-off, "
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
    earlier = earlier_windows(task, labelled_orders, reviews, cutoff, label_days, window,
                              to_class)
    run.chosen, run.choice = _choose(task, earlier, seed)
    # evaluated: trained on the cut-off's training customers and the earlier windows but the
    # oldest (the same number of windows as the model refitted for today)
    latest = (features.iloc[train], labels.iloc[train])
    train_features, train_labels = stack([latest, *earlier[:STACKED_WINDOWS - 1]])
    run.train_rows, run.test_rows = len(train_labels), len(test)
    evaluated = fit(train_features, train_labels, seed, run.chosen)
    weights = class_weights(train_labels, run.classes, run.chosen)
    proba = unweighted(predict_proba(evaluated, features.iloc[test], run.classes), weights)
    truth = labels.iloc[test].to_numpy()
    # decide gives the classes as objects; the metrics want the labels' own type (churn: int)
    predicted = decide(proba, weights, run.classes).astype(truth.dtype)
    run.metrics = metrics_of(truth, predicted, proba, run.classes)
    if baseline is None:  # majority class of the training customers
        majority = labels.iloc[train].value_counts().sort_index().idxmax()
        base = np.array([majority] * len(test), dtype=object)
        run.extra["majority_class"] = majority
    else:
        base = baseline.iloc[test].to_numpy()
    run.baseline_metrics = metrics_of(truth, base, one_hot(base, run.classes), run.classes)
    if task.primary_metric == "roc_auc":  # the probability's ranking against the 0/1 baseline
        run.improvement = paired_bootstrap(roc_auc, truth, proba[:, 1], base.astype(float),
                                           seed=seed)
    else:
        run.improvement = paired_bootstrap(macro_f1, truth, predicted, base, seed=seed)
    if task.explained:
        run.extra["churn_share"] = float(labels.mean())
        run.holdout = pd.DataFrame({"truth": truth.astype("int64"), "probability": proba[:, 1]})
    run.extra["estimator"] = run.chosen.label
    # refit on every labelled customer of the latest windows, score today
    all_features, all_labels = stack([(features, labels), *earlier[:STACKED_WINDOWS - 1]])
    run.estimator = fit(all_features, all_labels, seed, run.chosen)
    if task.explained:
        run.explainer = (run.estimator if run.chosen == LOGISTIC
                         else fit(all_features, all_labels, seed, LOGISTIC))
    run.class_weights = class_weights(all_labels, run.classes, run.chosen)
    run.today_features = today
    proba = unweighted(predict_proba(run.estimator, today, run.classes), run.class_weights)
    run.scores = pd.DataFrame(proba, columns=[str(c) for c in run.classes])
    run.today_classes = decide(proba, run.class_weights, run.classes)
    run.scored_rows = len(today)


def label_window_end(run: Run):
    """Last day of the label window: cut-off + window, at most the as-of date."""
    if run.cutoff is None or run.as_of is None:
        return None
    return min(run.cutoff + dt.timedelta(days=run.window_days), run.as_of)


def skipped_run(name, window_days, reason) -> Run:
    """The Run of model `name` skipped before it had dates (no customers), with the reason."""
    task = TASKS[name]
    return Run(name=name, cutoff=None, as_of=None, window_days=int(window_days),
               classes=task.classes, baseline_name=task.baseline_name,
               skip_reason=f"{name}: {reason}")
