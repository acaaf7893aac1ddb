"""Labels: what happened in the window after a cut-off, ``(cut-off, cut-off + window]``.

* churn: 1 = no purchase in the window after the date.
* next purchase: days from the date to the next purchase, class 0-30 / 30-60 / 60-90 / 90+
  (``(0, 30]``, ``(30, 60]``, ``(60, 90]``, none within 90).
* value class: net revenue in the window after the date: low = none (<= 0); medium / high
  split at a threshold (the median positive next-window revenue of the training customers).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ecommerce_warehouse.predictions.inputs import to_date

NEXT_PURCHASE_HORIZON_DAYS = 90
NEXT_PURCHASE_CLASSES = ("0-30", "30-60", "60-90", "90+")
VALUE_CLASSES = ("low", "medium", "high")
CHURN_CLASSES = (0, 1)


def churn_labels(orders, customer_ids, cutoff, window_days) -> pd.Series:
    """1 when the customer made no purchase in (cutoff, cutoff + window], else 0."""
    cutoff = pd.Timestamp(to_date(cutoff))
    end = cutoff + pd.Timedelta(days=window_days)
    later = orders[(~orders["is_return"]) & (orders["order_date"] > cutoff)
                   & (orders["order_date"] <= end)]
    bought = set(later["customer_id"].astype(str))
    return pd.Series([0 if c in bought else 1 for c in customer_ids], dtype="int64")


def days_to_class(days) -> str:
    """The next-purchase class of a number of days: 0-30, 30-60, 60-90, or 90+ (also for none)."""
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
