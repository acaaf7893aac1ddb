"""The three classifiers as data: one :class:`Task` a model (churn, next_purchase, clv), which
the runs read instead of testing the model's name. Their labels are labels.py's.

The baselines:

* churn: "same as last period": churned if the customer made no purchase in the window
  *before* the date.
* next purchase (repeat customers, 2+ purchases): the majority class of the training
  customers.
* value class (clv): "same as last period": the class of the customer's revenue in the window
  before the date.

The metric each classifier is judged on against its baseline: ROC AUC ranks churn risk (the
probability is what the retention team acts on); macro F1 weighs every class equally, so a
model cannot win by predicting the majority class.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd

from ecommerce_warehouse.predictions.fitting import Candidate
from ecommerce_warehouse.predictions.inputs import to_date
from ecommerce_warehouse.predictions.labels import (
    CHURN_CLASSES,
    NEXT_PURCHASE_CLASSES,
    NEXT_PURCHASE_HORIZON_DAYS,
    VALUE_CLASSES,
    churn_labels,
    next_purchase_labels,
    window_revenue,
)


@dataclass(frozen=True)
class Task:
    """One classifier: its classes, labels and baseline, and how it is fitted and judged.

    Attributes
    ----------
    name : str
        The model's name (``model_metrics.model_name``, the artifact's file name).
    classes : tuple
        The classes, in the order of the probability columns.
    baseline_name : str
        The naive baseline's name in ``model_metrics``.
    primary_metric : str
        The metric it is judged and chosen on: "roc_auc" or "macro_f1".
    labels : callable
        ``labels(orders, customer_ids, cutoff, label_days)``: the customers' raw labels, a
        Series in their order (the classes; clv: revenues, see `revenue_labels`).
    baseline : callable or None
        ``baseline(features)``: the naive prediction from a features_as_of() frame, raw like
        the labels; None: the majority class of the training customers.
    weights_tried : tuple of bool
        The candidates are fitted without (False) and with (True) balanced class weights.
    horizon_days : int or None
        Days after a cut-off its labels look at whatever the label window (next purchase: 90,
        for the 90+ class); None: the label window's.
    min_purchases : int
        The customers it is for: those with at least this many purchases by the date.
    revenue_labels : bool
        The labels are revenues, classed (labels.value_class) at a threshold learnt from the
        training customers only.
    explained : bool
        A logistic regression explains the score (churn_drivers, top drivers), and the
        held-out probabilities (churn_reliability) and the churn share of the label window
        (clv's expected lifespan) are kept.
    """

    name: str
    classes: tuple
    baseline_name: str
    primary_metric: str
    labels: Callable[..., pd.Series]
    baseline: Callable[[pd.DataFrame], pd.Series] | None
    weights_tried: tuple[bool, ...] = (False, True)
    horizon_days: int | None = None
    min_purchases: int = 1
    revenue_labels: bool = False
    explained: bool = False

    def label_horizon(self, label_days: int) -> int:
        """Days after a cut-off its labels look at, for a label window of `label_days`."""
        return label_days if self.horizon_days is None else self.horizon_days

    def customers(self, features: pd.DataFrame) -> pd.DataFrame:
        """The rows of a features_as_of() frame that the model is for."""
        return features[features["frequency"] >= self.min_purchases].reset_index(drop=True)


def candidates(task: Task) -> list[Candidate]:
    """The estimators a task's model is chosen from (on the validation window, see
    runs._choose): both families, with each of the task's class weights. The logistic
    regression comes first: it wins a tie."""
    return [Candidate(family, balanced) for family in ("logistic regression", "gradient boosting")
            for balanced in task.weights_tried]


def days_to_next_purchase_labels(orders, customer_ids, cutoff, label_days) -> pd.Series:
    """next_purchase_labels: its classes look NEXT_PURCHASE_HORIZON_DAYS ahead, whatever the
    label window."""
    return next_purchase_labels(orders, customer_ids, cutoff)


def next_window_revenue(orders, customer_ids, cutoff, label_days) -> pd.Series:
    """Net revenue per customer in the label window (cutoff, cutoff + label_days]."""
    end = pd.Timestamp(to_date(cutoff)) + pd.Timedelta(days=label_days)
    return window_revenue(orders, customer_ids, cutoff, end)


def no_purchase_last_window(features: pd.DataFrame) -> pd.Series:
    """Churn's baseline: 1 when the customer made no purchase in the window before the date."""
    return (features["orders_last_window"] == 0).astype("int64")


def revenue_last_window(features: pd.DataFrame) -> pd.Series:
    """The value class's baseline, before classing: the revenue of the window before the date."""
    return features["revenue_last_window"].astype(float)


TASKS = {task.name: task for task in (
    # judged on its ranking (ROC AUC) and its probability is used as it is: no class weights
    Task("churn", CHURN_CLASSES, "same as last period", "roc_auc", churn_labels,
         no_purchase_last_window, weights_tried=(False,), explained=True),
    # the macro-F1 models also try balanced weights, as macro F1 counts every class equally
    Task("next_purchase", NEXT_PURCHASE_CLASSES, "majority class", "macro_f1",
         days_to_next_purchase_labels, None, horizon_days=NEXT_PURCHASE_HORIZON_DAYS,
         min_purchases=2),
    Task("clv", VALUE_CLASSES, "same as last period", "macro_f1", next_window_revenue,
         revenue_last_window, revenue_labels=True),
)}
