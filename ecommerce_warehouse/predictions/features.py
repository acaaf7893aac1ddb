"""Point-in-time customer features: :func:`features_as_of` computes every customer feature
from the order-level frames using only what was known at the end of a day (the cut-off, or the
as-of date for today's scores): orders placed on or before it, deliveries that were overdue by
then (the promised date has passed and the parcel had not arrived by the promised date),
reviews written on or before it. Nothing dated after the day can move a feature (pytest proves
it by rewriting post-cut-off data).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ecommerce_warehouse.predictions.inputs import DEFAULT_WINDOW_DAYS, to_date

BAD_RATING_MAX = 2

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


def features_as_of(orders: pd.DataFrame, reviews: pd.DataFrame, date,
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
