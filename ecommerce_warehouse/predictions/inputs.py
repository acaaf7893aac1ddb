"""Dates and inputs of the predictive models: the cut-off and as-of dates, and the order and
review frames the models read.

* The *cut-off date* (var ``prediction_cutoff_date``; default: ``as_of_date`` minus
  ``prediction_window_days``, 90) ends the calibration window; the as-of date is "today".

Data too thin to fit (fewer than ``MIN_CUSTOMERS`` labelled customers, or fewer than
``MIN_CLASS_CUSTOMERS`` in some class; see fitting.check_classes) raises
:class:`PredictionSkipped`: the dbt models then return empty predictions and ``model_metrics``
records the reason. A bad configuration (a cut-off on or after the as-of date, so that no later
data exists) raises :class:`PredictionConfigError` with a plain message.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

DEFAULT_WINDOW_DAYS = 90
DEFAULT_SEED = 42

MONEY_DECIMALS = 6   # order amounts as the models see them (sub-cent prices kept)
ORDER_COLUMNS = ("order_id", "customer_id", "order_date", "is_return", "has_coupon",
                 "net_amount", "promised_delivery_date", "delivered_date")
REVIEW_COLUMNS = ("order_id", "rating", "reviewed_at")


class PredictionSkipped(Exception):
    """Too little data to fit or evaluate a model; the message is the recorded skip reason."""


class PredictionConfigError(ValueError):
    """A configuration that cannot work (e.g. a cut-off without later data)."""


def to_date(value) -> dt.date:
    """Any date-like value as a datetime.date."""
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
    # DuckDB's parallel sums differ from build to build in the last bits (1e-12), and value
    # classes cut at a quantile of such sums then flip customers on a tie: on Online Retail the
    # clv macro F1 moved between 0.53 and 0.55 from one build of the same data to the next
    frame["net_amount"] = frame["net_amount"].astype(float).fillna(0.0).round(MONEY_DECIMALS)
    return frame[frame["customer_id"].notna()].reset_index(drop=True)


def prepare_reviews(reviews: pd.DataFrame | None) -> pd.DataFrame:
    """The review columns (REVIEW_COLUMNS) with float ratings and review days; an empty frame of
    them when there are no reviews."""
    if reviews is None or len(reviews) == 0:
        return pd.DataFrame({"order_id": pd.Series(dtype="str"),
                             "rating": pd.Series(dtype="float64"),
                             "reviewed_at": pd.Series(dtype="datetime64[ns]")})
    frame = reviews[list(REVIEW_COLUMNS)].copy()
    frame["reviewed_at"] = pd.to_datetime(frame["reviewed_at"]).dt.normalize()
    frame["rating"] = frame["rating"].astype(float)
    return frame
