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

Fits are maximum likelihood without penalty; when BFGS stops short of lifetimes' default
gradient tolerance (an optimum on the boundary of the parameter space), looser tolerances are
tried (``FIT_TOLERANCES``; the one used is in clv_model_parameters). Too few repeat customers
(below ``min_repeat_customers``) or a fit that converges at none of them raise
:class:`ClvSkipped`: the dbt models then return empty rows and say why.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import time
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
from lifetimes import BetaGeoFitter, GammaGammaFitter
from lifetimes.fitters import ConvergenceError

from ecommerce_warehouse.predictions import meta_date, prepare_orders, resolve_as_of, to_date

UNIT_DAYS = 7          # recency and T in weeks, as in the paper
UNIT_NAME = "week"
LIFETIMES_FREQ = "W"   # lifetimes' name for that unit (its CLV months are 4.345 weeks)
DEFAULT_PREDICTION_DAYS = 90
DEFAULT_HORIZON_MONTHS = 12
DEFAULT_MONTHLY_DISCOUNT_RATE = 0.01
DEFAULT_MIN_REPEAT_CUSTOMERS = 20
FIT_TOLERANCES = (1e-7, 1e-6, 1e-5)  # BFGS gradient tolerance; 1e-7 is lifetimes' default
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
    # transform, not map(first): map fails on an empty window (no occasion before the end)
    repeat = window[window["occasion_date"] > grouped["occasion_date"].transform("min")]
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
    bgnbd_tolerance: float
    gamma_gamma_tolerance: float

    @property
    def repeat_customers(self) -> int:
        return int((self.summary["frequency"] > 0).sum())


def spend_sample(summary: pd.DataFrame) -> pd.DataFrame:
    """The customers Gamma-Gamma is fitted on: repeat customers with a positive average value."""
    return summary[(summary["frequency"] > 0) & (summary["monetary_value"] > 0)]


def _fit_with_tolerance(fitter_class, *columns):
    """(fitted model, gradient tolerance used): lifetimes' default tolerance first (it gives the
    published maximum-likelihood estimates); when BFGS stops on "precision loss" instead, as
    it does when the optimum lies on the boundary (e.g. Online Retail's BG/NBD drop-out
    probability a -> 0, nobody leaves), looser tolerances in turn. No penalty: the estimates
    stay maximum likelihood. lifetimes prints the optimizer's report on failure: silenced."""
    for tolerance in FIT_TOLERANCES:
        try:
            with contextlib.redirect_stdout(io.StringIO()):
                return fitter_class(penalizer_coef=0.0).fit(*columns, tol=tolerance), tolerance
        except ConvergenceError:
            continue
    raise ClvSkipped(f"the {fitter_class.__name__} maximum-likelihood fit did not converge "
                     f"(gradient tolerances tried: {', '.join(map(str, FIT_TOLERANCES))})")


def fit_bgnbd(summary: pd.DataFrame):
    """(BetaGeoFitter, tolerance) fitted on every customer of the summary."""
    return _fit_with_tolerance(BetaGeoFitter, summary["frequency"], summary["recency"],
                               summary["T"])


def fit_gamma_gamma(summary: pd.DataFrame):
    """(GammaGammaFitter, tolerance) fitted on the spend sample."""
    spenders = spend_sample(summary)
    return _fit_with_tolerance(GammaGammaFitter, spenders["frequency"],
                               spenders["monetary_value"])


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
    started = time.perf_counter()
    bgnbd, bgnbd_tolerance = fit_bgnbd(summary)
    bgnbd_seconds = time.perf_counter() - started
    started = time.perf_counter()
    gamma_gamma, gamma_gamma_tolerance = fit_gamma_gamma(summary)
    gamma_gamma_seconds = time.perf_counter() - started
    return Fit(calibration_start=to_date(occasions["occasion_date"].min()),
               calibration_end=to_date(calibration_end), summary=summary, bgnbd=bgnbd,
               gamma_gamma=gamma_gamma, bgnbd_seconds=bgnbd_seconds,
               gamma_gamma_seconds=gamma_gamma_seconds, bgnbd_tolerance=bgnbd_tolerance,
               gamma_gamma_tolerance=gamma_gamma_tolerance)


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


# --- wiring for the dbt Python models --------------------------------------------------------------

def settings_from_meta(meta: dict) -> dict:
    """The `clv_probabilistic` meta block (strings rendered from vars) as typed settings."""
    settings = meta["clv_probabilistic"]
    return {
        "prediction_days": int(settings["prediction_days"]),
        "horizon_months": int(settings["horizon_months"]),
        "monthly_discount_rate": float(settings["monthly_discount_rate"]),
        "min_repeat_customers": int(settings["min_repeat_customers"]),
        "as_of": meta_date(settings.get("as_of_date")),
    }


@dataclass
class Run:
    """One fit of the configured models for a dbt model: the fit, or the reason it was skipped."""
    purpose: str                 # "scoring" (up to the as-of date) or "holdout"
    as_of: dt.date | None
    calibration_end: dt.date | None
    fit: Fit | None = None
    holdout: pd.DataFrame | None = None
    skip_reason: str | None = None


def run_configured(purpose: str, orders: pd.DataFrame, customer_features: pd.DataFrame,
                   settings: dict) -> Run:
    """The scoring fit (calibration up to the as-of date) or the holdout fit (up to the as-of
    date minus prediction_days, checked on the days after) on fct_orders."""
    as_of = resolve_as_of(settings["as_of"], customer_features)
    if as_of is None:
        return Run(purpose, None, None, skip_reason="no customer purchases to learn from")
    as_of = to_date(as_of)
    days = settings["prediction_days"]
    end = as_of if purpose == "scoring" else as_of - dt.timedelta(days=days)
    run = Run(purpose, as_of, end)
    occasions = occasions_from_orders(orders)
    try:
        if purpose == "scoring":
            run.fit = fit_models(occasions, end, settings["min_repeat_customers"])
        else:
            run.fit, run.holdout = holdout_check(occasions, as_of, days,
                                                 settings["min_repeat_customers"])
    except ClvSkipped as skipped:
        run.skip_reason = f"bgnbd: {skipped}"
    return run


CUSTOMER_COLUMNS = {
    "customer_id": "str", "scoring_date": "date", "frequency": "int64", "recency_weeks": "float64",
    "tenure_weeks": "float64", "average_repeat_value": "float64", "prediction_days": "int64",
    "expected_purchases": "float64", "probability_alive": "float64",
    "expected_average_order_value": "float64", "clv_horizon_months": "int64",
    "monthly_discount_rate": "float64", "clv": "float64",
}


def clv_bgnbd(run: Run, settings: dict) -> pd.DataFrame:
    """clv_bgnbd: one row per customer with a purchase up to the as-of date (empty when the
    scoring fit was skipped)."""
    if run.fit is None:
        values = pd.DataFrame(columns=["frequency", "recency", "T", "monetary_value",
                                       "expected_purchases", "probability_alive",
                                       "expected_average_order_value", "clv"])
    else:
        values = customer_values(run.fit, settings["prediction_days"],
                                 settings["horizon_months"], settings["monthly_discount_rate"])
    n = len(values)
    frame = pd.DataFrame({
        "customer_id": values.index.astype("str"),
        "scoring_date": pd.Series([run.as_of] * n, dtype="object"),
        "frequency": values["frequency"].to_numpy(),
        "recency_weeks": values["recency"].to_numpy(),
        "tenure_weeks": values["T"].to_numpy(),
        "average_repeat_value": values["monetary_value"].to_numpy(),
        "prediction_days": settings["prediction_days"],
        "expected_purchases": values["expected_purchases"].to_numpy(),
        "probability_alive": values["probability_alive"].to_numpy(),
        "expected_average_order_value": values["expected_average_order_value"].to_numpy(),
        "clv_horizon_months": settings["horizon_months"],
        "monthly_discount_rate": settings["monthly_discount_rate"],
        "clv": values["clv"].to_numpy(),
    }, index=range(n))
    return _typed(frame, CUSTOMER_COLUMNS)


PARAMETER_COLUMNS = {
    "fit_purpose": "str", "time_unit": "str", "calibration_start_date": "date",
    "calibration_end_date": "date", "customers": "Int64", "repeat_customers": "Int64",
    "spend_customers": "Int64", "r": "float64", "alpha": "float64", "a": "float64",
    "b": "float64", "p": "float64", "q": "float64", "v": "float64",
    "frequency_value_correlation": "float64", "bgnbd_fit_seconds": "float64",
    "gamma_gamma_fit_seconds": "float64", "bgnbd_tolerance": "float64",
    "gamma_gamma_tolerance": "float64", "skip_reason": "str",
}


def model_parameters(runs: list[Run]) -> pd.DataFrame:
    """clv_model_parameters: one row per fit (scoring, holdout) with the fitted parameters,
    the calibration window and fit times; a skipped fit has its reason and null parameters."""
    rows = []
    for run in runs:
        row = {"fit_purpose": run.purpose, "time_unit": UNIT_NAME,
               "calibration_end_date": run.calibration_end, "skip_reason": run.skip_reason}
        if run.fit is not None:
            fit, spenders = run.fit, spend_sample(run.fit.summary)
            row.update(
                calibration_start_date=fit.calibration_start, customers=len(fit.summary),
                repeat_customers=fit.repeat_customers, spend_customers=len(spenders),
                **fit.bgnbd.params_.to_dict(), **fit.gamma_gamma.params_.to_dict(),
                frequency_value_correlation=float(
                    spenders["frequency"].corr(spenders["monetary_value"])),
                bgnbd_fit_seconds=fit.bgnbd_seconds,
                gamma_gamma_fit_seconds=fit.gamma_gamma_seconds,
                bgnbd_tolerance=fit.bgnbd_tolerance,
                gamma_gamma_tolerance=fit.gamma_gamma_tolerance)
        rows.append(row)
    return _typed(pd.DataFrame(rows, columns=list(PARAMETER_COLUMNS)), PARAMETER_COLUMNS)


def metric_rows(run: Run, scored_customers: int) -> list[dict]:
    """model_metrics rows of the holdout run (predictions.metrics_frame makes the table)."""
    common = {
        "model_name": "bgnbd", "baseline_name": BASELINE_NAME,
        "feature_cutoff_date": run.calibration_end, "label_window_end_date": run.as_of,
        "scoring_date": run.as_of, "train_rows": 0, "test_rows": 0,
        "scored_rows": scored_customers, "class_balance": None, "skip_reason": run.skip_reason,
    }
    if run.fit is None:  # clv_bgnbd is then empty too (too few repeaters for either fit)
        return [{**common, "scored_rows": 0, "metric": "skipped", "model_value": np.nan,
                 "baseline_value": np.nan}]
    customers = len(run.holdout)  # fitted on and checked against the same customers
    common.update(train_rows=customers, test_rows=customers)
    return [{**common, "metric": metric, "model_value": model, "baseline_value": baseline}
            for metric, (model, baseline) in holdout_metrics(run.holdout).items()]


def scored_customers(orders: pd.DataFrame, as_of) -> int:
    """Customers with a purchase up to the as-of date (the rows clv_bgnbd scores)."""
    if as_of is None:
        return 0
    occasions = occasions_from_orders(orders)
    return int(occasions.loc[occasions["occasion_date"] <= pd.Timestamp(as_of),
                             "customer_id"].nunique())


def _typed(frame: pd.DataFrame, columns: dict) -> pd.DataFrame:
    """Plain column types that DuckDB reads as declared (dates as date32, text as str)."""
    for column, kind in columns.items():
        if kind == "date":
            frame[column] = pd.Series([to_date(v) if v is not None and not pd.isna(v) else None
                                       for v in frame[column]],
                                      dtype=pd.ArrowDtype(pa.date32()), index=frame.index)
        elif kind == "str":
            frame[column] = frame[column].astype("str").where(frame[column].notna(), None)
        else:
            frame[column] = frame[column].astype(kind)
    return frame
