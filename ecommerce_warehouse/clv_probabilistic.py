"""Probabilistic customer lifetime value: BG/NBD purchases, P(alive) and Gamma-Gamma spend, the
plain functions behind the dbt Python models clv_bgnbd, clv_model_parameters and the `bgnbd`
rows of model_metrics.

Models (Fader, Hardie & Lee 2005, "Counting your customers the easy way"; Fader, Hardie &
Lee 2005, "RFM and CLV: using iso-value curves"), fitted by maximum likelihood with the
``lifetimes`` library (0.11.3, see docs/clv_probabilistic.md for why this library):

* BG/NBD: while "alive" a customer buys at a Poisson rate (gamma-distributed over customers,
  parameters r, alpha); after each purchase the customer drops out for good with a probability
  (beta-distributed over customers, parameters a, b). From a customer's frequency, recency and
  age it gives the expected purchases in the next period and P(alive), the probability that the
  customer has not dropped out.
* Gamma-Gamma: the value of a customer's purchases varies around the customer's own mean, and
  those means vary over customers (parameters p, q, v); it shrinks each repeat customer's
  average purchase value towards the population mean, more so for few purchases. Fitted on
  repeat customers with a positive average repeat value; it assumes value and frequency are
  independent (their correlation is reported in clv_model_parameters).
* CLV over ``horizon_months`` months: sum over months of expected purchases in that month x
  expected average order value, discounted at ``monthly_discount_rate`` per month (lifetimes'
  ``customer_lifetime_value``, months of 4.345 weeks).

Summary (the paper's definitions): the purchase *occasions* of a customer are the days with at
least one purchase (several purchases on one day are one occasion, worth their sum). Up to the
last day of the calibration window (inclusive): frequency = occasions after the first (repeat
purchases), recency = first to last occasion, T = first occasion to the end of the window, both
in weeks (``UNIT_DAYS``); monetary value = mean value of the repeat occasions (0 without any).

Holdout check: fit on the calibration window ending ``prediction_days`` before the as-of date,
predict each customer's occasions in the window after it, compare with the actual occasions:
mean absolute error per customer and aggregate ratio (predicted total / actual total), next to
the naive baseline "calibration purchase rate" (frequency / T, times the window; 0 for T = 0).
Scores for today come from the model refitted on everything up to the as-of date.

Too few repeat customers (below ``min_repeat_customers``) or a fit that does not converge raise
:class:`ClvSkipped`: the dbt models then return empty rows and say why.
"""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass

import numpy as np
import pandas as pd
from lifetimes import BetaGeoFitter, GammaGammaFitter
from lifetimes.fitters import ConvergenceError

from ecommerce_warehouse.predictions import prepare_orders, to_date

UNIT_DAYS = 7          # recency and T in weeks, as in the paper
UNIT_NAME = "week"
LIFETIMES_FREQ = "W"   # lifetimes' name for that unit (its CLV months are 4.345 weeks)
DEFAULT_PREDICTION_DAYS = 90
DEFAULT_HORIZON_MONTHS = 12
DEFAULT_MONTHLY_DISCOUNT_RATE = 0.01
DEFAULT_MIN_REPEAT_CUSTOMERS = 20
BASELINE_NAME = "calibration purchase rate"


class ClvSkipped(Exception):
    """Too little data (or no convergence); the message is the recorded reason."""


# --- summary -----------------------------------------------------------------------------------

def purchase_occasions(transactions: pd.DataFrame, customer: str = "customer_id",
                       date: str = "order_date", value: str = "net_amount") -> pd.DataFrame:
    """One row per customer and day with a purchase: customer_id, occasion_date, value (sum)."""
    frame = pd.DataFrame({
        "customer_id": transactions[customer].astype("str"),
        "occasion_date": pd.to_datetime(transactions[date]).dt.normalize(),
        "value": transactions[value].astype(float),
    })
    return (frame.groupby(["customer_id", "occasion_date"], as_index=False)["value"].sum()
            .sort_values(["customer_id", "occasion_date"], ignore_index=True))


def occasions_from_orders(orders: pd.DataFrame) -> pd.DataFrame:
    """Purchase occasions from fct_orders: orders with a customer, returns left out, each day's
    net amount as its value."""
    prepared = prepare_orders(orders)
    return purchase_occasions(prepared[~prepared["is_return"]])


def rfm_summary(occasions: pd.DataFrame, calibration_end) -> pd.DataFrame:
    """Per customer with an occasion on or before calibration_end (the last day of the window):
    frequency, recency, T (weeks), monetary_value; indexed by customer_id, sorted."""
    end = pd.Timestamp(calibration_end).normalize()
    window = occasions[occasions["occasion_date"] <= end]
    grouped = window.groupby("customer_id")
    first = grouped["occasion_date"].min()
    summary = pd.DataFrame({
        "frequency": grouped.size() - 1,
        "recency": (grouped["occasion_date"].max() - first).dt.days / UNIT_DAYS,
        "T": (end - first).dt.days / UNIT_DAYS,
    })
    repeat = window[window["occasion_date"] > window["customer_id"].map(first)]
    summary["monetary_value"] = repeat.groupby("customer_id")["value"].mean()
    summary["monetary_value"] = summary["monetary_value"].fillna(0.0)
    summary["frequency"] = summary["frequency"].astype("int64")
    return summary.sort_index()


def occasions_between(occasions: pd.DataFrame, customers: pd.Index, start, end) -> pd.Series:
    """Occasions per customer in (start, end] (days), 0 for customers without any."""
    start, end = pd.Timestamp(start).normalize(), pd.Timestamp(end).normalize()
    inside = occasions[(occasions["occasion_date"] > start) & (occasions["occasion_date"] <= end)]
    return inside.groupby("customer_id").size().reindex(customers, fill_value=0).astype("int64")


# --- fits ----------------------------------------------------------------------------------------

@dataclass
class Fit:
    """The two fitted models on one calibration window, with what they were fitted on."""
    calibration_start: dt.date
    calibration_end: dt.date
    summary: pd.DataFrame
    bgnbd: BetaGeoFitter
    gamma_gamma: GammaGammaFitter
    bgnbd_seconds: float
    gamma_gamma_seconds: float

    @property
    def repeat_customers(self) -> int:
        return int((self.summary["frequency"] > 0).sum())


def spend_sample(summary: pd.DataFrame) -> pd.DataFrame:
    """The customers Gamma-Gamma is fitted on: repeat customers with a positive average value."""
    return summary[(summary["frequency"] > 0) & (summary["monetary_value"] > 0)]


def fit_bgnbd(summary: pd.DataFrame) -> BetaGeoFitter:
    return BetaGeoFitter(penalizer_coef=0.0).fit(
        summary["frequency"], summary["recency"], summary["T"])


def fit_gamma_gamma(summary: pd.DataFrame) -> GammaGammaFitter:
    spenders = spend_sample(summary)
    return GammaGammaFitter(penalizer_coef=0.0).fit(
        spenders["frequency"], spenders["monetary_value"])


def fit_models(occasions: pd.DataFrame, calibration_end,
               min_repeat_customers: int = DEFAULT_MIN_REPEAT_CUSTOMERS) -> Fit:
    """BG/NBD on every customer of the window, Gamma-Gamma on its spenders; ClvSkipped when
    fewer than min_repeat_customers repeat (or spending) customers, or no convergence."""
    summary = rfm_summary(occasions, calibration_end)
    repeaters, spenders = int((summary["frequency"] > 0).sum()), len(spend_sample(summary))
    if min(repeaters, spenders) < min_repeat_customers:
        raise ClvSkipped(
            f"{repeaters} repeat customers ({spenders} with a positive repeat value) up to "
            f"{to_date(calibration_end)}; at least {min_repeat_customers} needed "
            "(var clv_min_repeat_customers)")
    try:
        started = time.perf_counter()
        bgnbd = fit_bgnbd(summary)
        bgnbd_seconds = time.perf_counter() - started
        started = time.perf_counter()
        gamma_gamma = fit_gamma_gamma(summary)
        gamma_gamma_seconds = time.perf_counter() - started
    except ConvergenceError as error:
        raise ClvSkipped(f"the maximum-likelihood fit did not converge: {error}") from error
    return Fit(calibration_start=to_date(occasions["occasion_date"].min()),
               calibration_end=to_date(calibration_end), summary=summary, bgnbd=bgnbd,
               gamma_gamma=gamma_gamma, bgnbd_seconds=bgnbd_seconds,
               gamma_gamma_seconds=gamma_gamma_seconds)


# --- predictions ---------------------------------------------------------------------------------

def expected_purchases(fit: Fit, days: float) -> pd.Series:
    s = fit.summary
    return fit.bgnbd.conditional_expected_number_of_purchases_up_to_time(
        days / UNIT_DAYS, s["frequency"], s["recency"], s["T"])


def customer_values(fit: Fit, prediction_days: int = DEFAULT_PREDICTION_DAYS,
                    horizon_months: int = DEFAULT_HORIZON_MONTHS,
                    monthly_discount_rate: float = DEFAULT_MONTHLY_DISCOUNT_RATE) -> pd.DataFrame:
    """Per customer of the fit: its summary, expected purchases in the next prediction_days,
    P(alive), expected average order value and discounted CLV over horizon_months."""
    s = fit.summary
    frame = s.copy()
    frame["expected_purchases"] = expected_purchases(fit, prediction_days)
    frame["probability_alive"] = fit.bgnbd.conditional_probability_alive(
        s["frequency"], s["recency"], s["T"])
    frame["expected_average_order_value"] = \
        fit.gamma_gamma.conditional_expected_average_profit(s["frequency"], s["monetary_value"])
    frame["clv"] = fit.gamma_gamma.customer_lifetime_value(
        fit.bgnbd, s["frequency"], s["recency"], s["T"], s["monetary_value"],
        time=int(horizon_months), discount_rate=float(monthly_discount_rate),
        freq=LIFETIMES_FREQ).astype(float)
    return frame


def baseline_purchases(summary: pd.DataFrame, days: float) -> pd.Series:
    """Naive forecast: the customer's repeat purchase rate in calibration (frequency / T) over
    the next `days`; 0 for a customer first seen on the last day (T = 0)."""
    weeks = days / UNIT_DAYS
    rate = (summary["frequency"] / summary["T"].where(summary["T"] > 0)).fillna(0.0)
    return rate * weeks


def holdout_check(occasions: pd.DataFrame, as_of, prediction_days: int = DEFAULT_PREDICTION_DAYS,
                  min_repeat_customers: int = DEFAULT_MIN_REPEAT_CUSTOMERS):
    """(Fit on the window ending prediction_days before as_of, per-customer frame of
    predicted / baseline / actual occasions in the following prediction_days)."""
    as_of = to_date(as_of)
    calibration_end = as_of - dt.timedelta(days=int(prediction_days))
    fit = fit_models(occasions, calibration_end, min_repeat_customers)
    frame = pd.DataFrame({
        "predicted": expected_purchases(fit, prediction_days),
        "baseline": baseline_purchases(fit.summary, prediction_days),
        "actual": occasions_between(occasions, fit.summary.index, calibration_end, as_of),
    })
    return fit, frame


def holdout_metrics(frame: pd.DataFrame) -> dict:
    """{metric: (model, baseline)}: mean absolute error per customer, and predicted total /
    actual total (1 = right in aggregate)."""
    actual = frame["actual"].astype(float)
    total = actual.sum()
    return {
        "mae_purchases": tuple(float((frame[c] - actual).abs().mean())
                               for c in ("predicted", "baseline")),
        "aggregate_ratio": tuple(float(frame[c].sum() / total) if total else np.nan
                                 for c in ("predicted", "baseline")),
    }
