"""Predictive customer models (churn, next purchase, value class): see runs.py."""

from ecommerce_warehouse.predictions.runs import *  # noqa: F401,F403
