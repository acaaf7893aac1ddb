"""Probabilistic customer lifetime value: BG/NBD or Pareto/NBD purchases, P(alive) and
Gamma-Gamma spend, the plain functions behind the dbt Python models clv_bgnbd,
clv_model_parameters and the `bgnbd` / `paretonbd` rows of model_metrics. Only
clv_model_parameters fits (``run_configured``); the other two rebuild its fitted models from the
stored parameters (``run_from_parameters``), so each model is fitted once per build.

Models (Fader, Hardie & Lee 2005, "Counting your customers the easy way"; Fader, Hardie &
Lee 2005, "RFM and CLV: using iso-value curves"), fitted by maximum likelihood with the
``lifetimes`` library (0.11.3, see docs/clv_probabilistic.md for why this library):

* BG/NBD: while "alive" a customer buys at a Poisson rate (gamma-distributed over customers,
  parameters r, alpha); after each purchase the customer drops out for good with a probability
  (beta-distributed over customers, parameters a, b). From a customer's frequency, recency and
  age it gives the expected purchases in the next period and P(alive), the probability that the
  customer has not dropped out.
* Pareto/NBD (Schmittlein, Morrison & Colombo 1987): the same purchase process, but the
  customer's lifetime is exponential in calendar time (its rate gamma-distributed over
  customers, parameters s, beta) instead of a coin flip after each purchase. Same inputs and
  outputs as BG/NBD. Published on the CDNOW sample: r 0.553, alpha 10.578, s 0.606,
  beta 11.669 (Fader, Hardie & Lee 2005).
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
two baselines: the naive "calibration purchase rate" (frequency / T, times the window; 0 for
T = 0), and a seasonal one for shops with a peak season: that rate times last year's seasonal
index of the window (the shop's occasions per day in the same calendar days a year earlier ÷
its occasions per day over the year up to the calibration end; none with less than a year of
history before the calibration end). Of BG/NBD and Pareto/NBD, the one with the lower holdout
mean absolute error per customer scores the customers (BG/NBD on a tie, or when the holdout
fit was skipped); clv_model_parameters says which and why. Scores for today come from that
model refitted on everything up to the as-of date.

Fits are maximum likelihood without penalty; when BFGS stops short of lifetimes' default
gradient tolerance (an optimum on the boundary of the parameter space), looser tolerances are
tried (``FIT_TOLERANCES``; the one used is in clv_model_parameters). Too few repeat customers
(below ``min_repeat_customers``) or a fit that converges at none of them raise
:class:`ClvSkipped`: the dbt models then return empty rows and say why.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import io
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeAlias

import numpy as np
import pandas as pd
import pyarrow as pa
from lifetimes import BetaGeoFitter, GammaGammaFitter, ParetoNBDFitter
from lifetimes.fitters import ConvergenceError
from lifetimes.utils import _scale_time
from scipy.special import gammaln

from ecommerce_warehouse.evaluation import paired_bootstrap
from ecommerce_warehouse.predictions import (
    improvement_columns,
    meta_date,
    prepare_orders,
    resolve_as_of,
    to_date,
)

UNIT_DAYS = 7          # recency and T in weeks, as in the paper
UNIT_NAME = "week"
LIFETIMES_FREQ = "W"   # lifetimes' name for that unit (its CLV months are 4.345 weeks)
DEFAULT_PREDICTION_DAYS = 90
DEFAULT_HORIZON_MONTHS = 12
DEFAULT_MONTHLY_DISCOUNT_RATE = 0.01
DEFAULT_MIN_REPEAT_CUSTOMERS = 20
FIT_TOLERANCES = (1e-7, 1e-6, 1e-5)  # BFGS gradient tolerance; 1e-7 is lifetimes' default
# Pareto/NBD is fitted by Nelder-Mead (lifetimes), whose tolerance is on the parameters and
# which never reports failure: one tolerance, 1e-5, the loosest that gives the published CDNOW
# estimates to 3 decimals (1e-4 gives beta 11.670; tighter ones run to lifetimes' 2,000
# iterations on the demo shop, whose s and beta grow large, at up to a second an iteration).
PARETONBD_TOLERANCES = (1e-5,)
BASELINE_NAME = "calibration purchase rate"
PRIMARY_METRIC = "mae_purchases"     # judged against the baseline on this (lower is better)
SEASONAL_BASELINE_NAME = "calibration purchase rate x last year's seasonal index"
YEAR_DAYS = 365
DEFAULT_PURCHASE_MODEL = "bgnbd"
_Fitter: TypeAlias = BetaGeoFitter | ParetoNBDFitter | GammaGammaFitter   # a fitted model


class ParetoNBD(ParetoNBDFitter):
    """lifetimes' Pareto/NBD, made safe for customers whose last purchase is on the last day of
    the window (recency = T) and deterministic.

    Likelihood (Fader & Hardie, "A note on deriving the Pareto/NBD model and related
    expressions", 2005, eq. 18): L = A1 [(alpha+T)^-(r+x) (beta+T)^-s + s / (r+s+x) A0], A0 a
    difference of two hypergeometric terms at t_x and T (eqs. 19, 20). At t_x = T the two are
    equal and A0 = 0; lifetimes takes the log of that difference, which is NaN once the terms
    overflow (frequent buyers, large beta), and one NaN makes the whole likelihood NaN and
    Nelder-Mead wander off (the demo shop's fit ended at beta = 11,535). Here A0 = 0 is used
    there. P(alive) = A1 (alpha+T)^-(r+x) (beta+T)^-s / L (eq. 36, 1 at t_x = T), and the
    expected purchases follow from lifetimes' formula (eq. 41) with this likelihood. lifetimes
    starts Nelder-Mead from random values around 1; `fit` starts it from a BG/NBD fit's r and
    alpha, or from 1 (repeatable either way)."""

    @staticmethod
    def _log_alive_term(params, x, T):
        r, alpha, s, beta = params
        return (gammaln(r + x) - gammaln(r) + r * np.log(alpha) + s * np.log(beta)
                - (r + x) * np.log(alpha + T) - s * np.log(beta + T))

    @staticmethod
    def _conditional_log_likelihood(params, freq, rec, T):
        freq, rec, T = (np.asarray(v, dtype=float) for v in (freq, rec, T))
        at_end = rec >= T
        # lifetimes' form where t_x < T; at t_x = T it is evaluated at T + 1 and not used
        general = ParetoNBDFitter._conditional_log_likelihood(params, freq, rec,
                                                              np.where(at_end, rec + 1.0, T))
        return np.where(at_end, ParetoNBD._log_alive_term(params, freq, T), general)

    @staticmethod
    def _negative_log_likelihood(params, freq, rec, T, weights, penalizer_coef):
        if np.any(np.asarray(params) <= 0.0):
            return np.inf
        log_likelihood = ParetoNBD._conditional_log_likelihood(params, freq, rec, T)
        return (-(weights * log_likelihood).sum() / weights.mean()
                + penalizer_coef * np.sum(np.asarray(params) ** 2))

    def conditional_probability_alive(self, frequency, recency, T):
        """P(alive) per customer from the likelihood above (1 at recency = T)."""
        params = self._unload_params("r", "alpha", "s", "beta")
        return np.exp(self._log_alive_term(params, frequency, T)
                      - self._conditional_log_likelihood(params, frequency, recency, T))

    def fit(self, frequency, recency, T, *args, start_from: BetaGeoFitter | None = None,
            **kwargs):
        """The lifetimes fit, with Nelder-Mead started from the r and alpha of `start_from`, a
        BG/NBD fit of the same customers (the purchase process both models share), and s = 1,
        beta = alpha; from 1 for every parameter without it. From 1, Online Retail's fit (optimum on
        the boundary s -> 0, where beta does not matter) walks to beta = 11,130, where one
        likelihood evaluation costs 30 times more: 19 s; from BG/NBD's r and alpha, 0.3 s to
        the same r and alpha (CDNOW's four estimates: the same to 3 decimals)."""
        initial = np.ones(4)
        if start_from is not None:
            r, alpha = start_from.params_["r"], start_from.params_["alpha"]
            scaled_alpha = alpha * _scale_time(T)   # lifetimes fits on T scaled by _scale_time
            initial = np.array([r, scaled_alpha, 1.0, scaled_alpha])
        return super().fit(frequency, recency, T, *args, initial_params=initial, **kwargs)


# the purchase models fitted side by side: name in the marts -> (label, fitter)
PURCHASE_MODELS = {"bgnbd": ("BG/NBD", BetaGeoFitter), "paretonbd": ("Pareto/NBD", ParetoNBD)}


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
    # pandas-stubs type the sum a Series; with as_index=False it is a DataFrame
    return (frame.groupby(["customer_id", "occasion_date"], as_index=False)["value"].sum()
            .sort_values(["customer_id", "occasion_date"],  # type: ignore[call-overload]
                         ignore_index=True))


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
    """The fitted models on one calibration window, with what they were fitted on: each purchase
    model of PURCHASE_MODELS that converged (the others' reasons in `failures`) and
    Gamma-Gamma; fit seconds and gradient tolerance per model name (the purchase models' and
    "gamma_gamma")."""

    calibration_start: dt.date
    calibration_end: dt.date
    summary: pd.DataFrame
    purchase_models: dict
    gamma_gamma: GammaGammaFitter
    seconds: dict
    tolerances: dict
    failures: dict

    @property
    def repeat_customers(self) -> int:
        """The customers with at least one repeat purchase in the calibration window."""
        return int((self.summary["frequency"] > 0).sum())


def spend_sample(summary: pd.DataFrame) -> pd.DataFrame:
    """The customers Gamma-Gamma is fitted on: repeat customers with a positive average value."""
    return summary[(summary["frequency"] > 0) & (summary["monetary_value"] > 0)]


def _fit_with_tolerance(fitter_class, *columns, tolerances=FIT_TOLERANCES, **options):
    """(fitted model, gradient tolerance used): lifetimes' default tolerance first (it gives the
    published maximum-likelihood estimates); when BFGS stops on "precision loss" instead, as
    it does when the optimum lies on the boundary (e.g. Online Retail's BG/NBD drop-out
    probability a -> 0, nobody leaves), looser tolerances in turn. No penalty: the estimates
    stay maximum likelihood. lifetimes prints the optimizer's report on failure: silenced."""
    for tolerance in tolerances:
        try:
            with contextlib.redirect_stdout(io.StringIO()):
                return (fitter_class(penalizer_coef=0.0).fit(*columns, tol=tolerance, **options),
                        tolerance)
        except ConvergenceError:
            continue
    raise ClvSkipped(f"the {fitter_class.__name__} maximum-likelihood fit did not converge "
                     f"(gradient tolerances tried: {', '.join(map(str, tolerances))})")


def fit_purchase_model(name: str, summary: pd.DataFrame, **options):
    """(fitted BG/NBD or Pareto/NBD, tolerance) on every customer of the summary. Customers
    with the same (frequency, recency, T) have the same likelihood: the fit sees each
    combination once, weighted by its customers (the same estimates; about half the customers
    of CDNOW, whose one-time buyers share a few dozen, and Pareto/NBD's likelihood is slow).
    `options` go to the fitter's fit (Pareto/NBD's `start_from`)."""
    combinations = summary.groupby(["frequency", "recency", "T"]).size().reset_index()
    return _fit_with_tolerance(PURCHASE_MODELS[name][1], combinations["frequency"],
                               combinations["recency"], combinations["T"],
                               weights=combinations[0],
                               tolerances=PARETONBD_TOLERANCES if name == "paretonbd"
                               else FIT_TOLERANCES, **options)


def fit_gamma_gamma(summary: pd.DataFrame):
    """(GammaGammaFitter, tolerance) fitted on the spend sample."""
    spenders = spend_sample(summary)
    return _fit_with_tolerance(GammaGammaFitter, spenders["frequency"],
                               spenders["monetary_value"])


def fit_models(occasions: pd.DataFrame, calibration_end,
               min_repeat_customers: int = DEFAULT_MIN_REPEAT_CUSTOMERS) -> Fit:
    """BG/NBD and Pareto/NBD on every customer of the window, Gamma-Gamma on its spenders;
    ClvSkipped when fewer than min_repeat_customers repeat (or spending) customers, or when
    Gamma-Gamma or both purchase models do not converge (one that fails alone is left out,
    its reason in Fit.failures)."""
    summary = rfm_summary(occasions, calibration_end)
    repeaters, spenders = int((summary["frequency"] > 0).sum()), len(spend_sample(summary))
    if min(repeaters, spenders) < min_repeat_customers:
        raise ClvSkipped(
            f"{repeaters} repeat customers ({spenders} with a positive repeat value) up to "
            f"{to_date(calibration_end)}; at least {min_repeat_customers} needed "
            "(var clv_min_repeat_customers)")
    fitted: dict[str, _Fitter] = {}
    seconds: dict[str, float] = {}
    tolerances: dict[str, float] = {}
    failures: dict[str, str] = {}
    fits: dict[str, Callable[[], tuple[_Fitter, float]]] = {    # -> (fitted, tolerance)
        name: functools.partial(fit_purchase_model, name, summary) for name in PURCHASE_MODELS}
    # Pareto/NBD starts from BG/NBD's purchase process when that converged (fitted first)
    fits["paretonbd"] = lambda: fit_purchase_model("paretonbd", summary,
                                                   start_from=fitted.get("bgnbd"))
    fits["gamma_gamma"] = lambda: fit_gamma_gamma(summary)
    for name, fit in fits.items():
        started = time.perf_counter()
        try:
            fitted[name], tolerances[name] = fit()
        except ClvSkipped as failed:
            if name == "gamma_gamma" or len(failures) == len(PURCHASE_MODELS) - 1:
                raise ClvSkipped("; ".join([*failures.values(), str(failed)])) from None
            failures[name] = str(failed)
        seconds[name] = time.perf_counter() - started
    gamma_gamma = fitted.pop("gamma_gamma")
    return Fit(calibration_start=to_date(occasions["occasion_date"].min()),
               calibration_end=to_date(calibration_end), summary=summary,
               purchase_models=fitted, gamma_gamma=gamma_gamma, seconds=seconds,
               tolerances=tolerances, failures=failures)


# --- predictions ---------------------------------------------------------------------------------

def expected_purchases(fit: Fit, days: float, model: str = DEFAULT_PURCHASE_MODEL) -> pd.Series:
    """Each summary customer's expected purchases in the next `days` days, by purchase model
    `model`."""
    s = fit.summary
    return fit.purchase_models[model].conditional_expected_number_of_purchases_up_to_time(
        days / UNIT_DAYS, s["frequency"], s["recency"], s["T"])


def customer_values(fit: Fit, prediction_days: int = DEFAULT_PREDICTION_DAYS,
                    horizon_months: int = DEFAULT_HORIZON_MONTHS,
                    monthly_discount_rate: float = DEFAULT_MONTHLY_DISCOUNT_RATE,
                    model: str = DEFAULT_PURCHASE_MODEL) -> pd.DataFrame:
    """Per customer of the fit: its summary, expected purchases in the next prediction_days and
    P(alive) from the purchase model `model`, expected average order value and discounted CLV
    over horizon_months."""
    s = fit.summary
    purchases = fit.purchase_models[model]
    frame = s.copy()
    frame["expected_purchases"] = expected_purchases(fit, prediction_days, model)
    frame["probability_alive"] = purchases.conditional_probability_alive(
        s["frequency"], s["recency"], s["T"])
    frame["expected_average_order_value"] = \
        fit.gamma_gamma.conditional_expected_average_profit(s["frequency"], s["monetary_value"])
    frame["clv"] = fit.gamma_gamma.customer_lifetime_value(
        purchases, s["frequency"], s["recency"], s["T"], s["monetary_value"],
        time=int(horizon_months), discount_rate=float(monthly_discount_rate),
        freq=LIFETIMES_FREQ).astype(float)
    return frame


def baseline_purchases(summary: pd.DataFrame, days: float) -> pd.Series:
    """Naive forecast: the customer's repeat purchase rate in calibration (frequency / T) over
    the next `days`; 0 for a customer first seen on the last day (T = 0)."""
    weeks = days / UNIT_DAYS
    rate = (summary["frequency"] / summary["T"].where(summary["T"] > 0)).fillna(0.0)
    return rate * weeks


def seasonal_index(occasions: pd.DataFrame, calibration_end, days: int) -> float | None:
    """How busy the `days` after calibration_end were a year earlier: the shop's occasions per
    day in (calibration_end - 365, calibration_end - 365 + days] over its occasions per day in
    the year up to calibration_end, (calibration_end - 365, calibration_end] (1 = an average
    stretch of that year). None when the data start after that year does (no full year)."""
    end = pd.Timestamp(calibration_end).normalize()
    year_start = end - pd.Timedelta(days=YEAR_DAYS)
    dates = occasions["occasion_date"]
    if len(dates) == 0 or dates.min() > year_start + pd.Timedelta(days=1):
        return None
    in_year = dates[(dates > year_start) & (dates <= end)]
    last_year_window = in_year[in_year <= year_start + pd.Timedelta(days=int(days))]
    if len(in_year) == 0:
        return None
    return (len(last_year_window) / int(days)) / (len(in_year) / YEAR_DAYS)


def holdout_check(occasions: pd.DataFrame, as_of, prediction_days: int = DEFAULT_PREDICTION_DAYS,
                  min_repeat_customers: int = DEFAULT_MIN_REPEAT_CUSTOMERS):
    """(Fit on the window ending prediction_days before as_of, per-customer frame of the
    occasions in the following prediction_days: predicted by each purchase model (a column
    per name), baseline, seasonal_baseline (NaN without a year of history), actual)."""
    as_of = to_date(as_of)
    calibration_end = as_of - dt.timedelta(days=int(prediction_days))
    fit = fit_models(occasions, calibration_end, min_repeat_customers)
    return fit, holdout_frame(fit, occasions, as_of, prediction_days)


def holdout_frame(fit: Fit, occasions: pd.DataFrame, as_of, prediction_days: int) -> pd.DataFrame:
    """holdout_check's per-customer frame for a holdout fit ending prediction_days before as_of."""
    calibration_end = fit.calibration_end
    frame = pd.DataFrame({name: expected_purchases(fit, prediction_days, name)
                          for name in fit.purchase_models})
    frame["baseline"] = baseline_purchases(fit.summary, prediction_days)
    index = seasonal_index(occasions, calibration_end, prediction_days)
    frame["seasonal_baseline"] = frame["baseline"] * (np.nan if index is None else index)
    frame["actual"] = occasions_between(occasions, fit.summary.index, calibration_end,
                                        to_date(as_of))
    return frame


def holdout_metrics(frame: pd.DataFrame, model: str = DEFAULT_PURCHASE_MODEL) -> dict:
    """{metric: (model, baseline, seasonal baseline)}: mean absolute error per customer, and
    predicted total / actual total (1 = right in aggregate); NaN where there is no forecast."""
    actual = frame["actual"].astype(float)
    total = actual.sum()
    columns = (model, "baseline", "seasonal_baseline")
    return {
        "mae_purchases": tuple(float((frame[c] - actual).abs().mean(skipna=False))
                               for c in columns),
        "aggregate_ratio": tuple(float(frame[c].sum(min_count=len(frame)) / total) if total
                                 else np.nan for c in columns),
    }


def choose_purchase_model(holdout: Run) -> tuple[str, str]:
    """(name, reason): the purchase model with the lower holdout mean absolute error per
    customer (of those that converged); BG/NBD on a tie, or when there was no holdout fit."""
    default_label = PURCHASE_MODELS[DEFAULT_PURCHASE_MODEL][0]
    if holdout.fit is None:
        return DEFAULT_PURCHASE_MODEL, (f"{default_label} by default: no holdout check "
                                        f"({holdout.skip_reason})")
    frame = holdout.holdout
    assert frame is not None    # a holdout Run with a fit has its frame (run_configured)
    errors = {name: holdout_metrics(frame, name)["mae_purchases"][0]
              for name in holdout.fit.purchase_models}
    # a model whose forecast is NaN for some customer (numerical failure) is not chosen
    scored = {name: error for name, error in errors.items() if not np.isnan(error)} or errors
    chosen = min(scored, key=lambda name: (scored[name], name != DEFAULT_PURCHASE_MODEL))
    compared = ", ".join(f"{PURCHASE_MODELS[name][0]} {error:.4f}"
                         for name, error in sorted(errors.items(), key=lambda item: item[1]))
    return chosen, (f"lower holdout MAE of purchases per customer ({compared}; fitted up to "
                    f"{holdout.calibration_end}, checked up to {holdout.as_of})")


# --- wiring for the dbt Python models -------------------------------------------------------------

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


def _run_window(purpose: str, customer_features: pd.DataFrame, settings: dict) -> Run:
    """A Run with its as-of date and calibration end and no fit yet (or skipped: no as-of)."""
    as_of = resolve_as_of(settings["as_of"], customer_features)
    if as_of is None:
        return Run(purpose, None, None, skip_reason="no customer purchases to learn from")
    as_of = to_date(as_of)
    days = settings["prediction_days"]
    return Run(purpose, as_of, as_of if purpose == "scoring" else as_of - dt.timedelta(days=days))


def run_configured(purpose: str, orders: pd.DataFrame, customer_features: pd.DataFrame,
                   settings: dict) -> Run:
    """The scoring fit (calibration up to the as-of date) or the holdout fit (up to the as-of
    date minus prediction_days, checked on the days after) on fct_orders."""
    run = _run_window(purpose, customer_features, settings)
    if run.as_of is None:
        return run
    as_of, end, days = run.as_of, run.calibration_end, settings["prediction_days"]
    occasions = occasions_from_orders(orders)
    try:
        if purpose == "scoring":
            run.fit = fit_models(occasions, end, settings["min_repeat_customers"])
        else:
            run.fit, run.holdout = holdout_check(occasions, as_of, days,
                                                 settings["min_repeat_customers"])
    except ClvSkipped as skipped:
        run.skip_reason = str(skipped)
    return run


# --- rebuilt from clv_model_parameters (each model is fitted once per build) ----------------------

def fitted_with(fitter_class, parameters: dict):
    """A lifetimes fitter that predicts with the given parameters as if it had been fitted:
    its predictions read only `params_` and (the purchase models', in Gamma-Gamma's CLV)
    `predict`, the two things `fit` sets that they need."""
    fitter = fitter_class(penalizer_coef=0.0)
    fitter.params_ = pd.Series(parameters, dtype=float)
    if hasattr(fitter, "conditional_expected_number_of_purchases_up_to_time"):
        fitter.predict = fitter.conditional_expected_number_of_purchases_up_to_time
    return fitter


def fit_from_parameters(row: dict, occasions: pd.DataFrame) -> Fit | None:
    """The Fit that clv_model_parameters' row was written from, rebuilt from its parameters and
    the same occasions (None for a skipped fit). A purchase model with null parameters did not
    converge; the row's skip_reason is then its reason (only one of the two can fail alone)."""
    def parameters(model):
        values = {name: row[f"{model}_{name}"] for name in MODEL_PARAMETERS[model]}
        return None if any(pd.isna(v) for v in values.values()) else values

    if parameters("gamma_gamma") is None:
        return None
    end = to_date(row["calibration_end_date"])
    fitted = {name: parameters(name) for name in PURCHASE_MODELS}
    converged = [name for name, values in fitted.items() if values is not None]
    return Fit(calibration_start=to_date(occasions["occasion_date"].min()), calibration_end=end,
               summary=rfm_summary(occasions, end),
               purchase_models={name: fitted_with(PURCHASE_MODELS[name][1], fitted[name])
                                for name in converged},
               gamma_gamma=fitted_with(GammaGammaFitter, parameters("gamma_gamma")),
               seconds={m: row[f"{m}_fit_seconds"] for m in [*converged, "gamma_gamma"]},
               tolerances={m: row[f"{m}_tolerance"] for m in [*converged, "gamma_gamma"]},
               failures={name: row["skip_reason"] for name in fitted if name not in converged})


def run_from_parameters(purpose: str, orders: pd.DataFrame, customer_features: pd.DataFrame,
                        settings: dict, parameters: pd.DataFrame) -> Run:
    """The Run run_configured(purpose, ...) gave clv_model_parameters, rebuilt from the table
    (its holdout frame recomputed) instead of fitted again: the same predictions."""
    run = _run_window(purpose, customer_features, settings)
    if run.as_of is None:
        return run
    (row,) = parameters[parameters["fit_purpose"] == purpose].to_dict("records")
    occasions = occasions_from_orders(orders)
    run.fit = fit_from_parameters(row, occasions)
    if run.fit is None:
        run.skip_reason = row["skip_reason"]
    elif purpose == "holdout":
        run.holdout = holdout_frame(run.fit, occasions, run.as_of, settings["prediction_days"])
    return run


def chosen_purchase_model(parameters: pd.DataFrame) -> str:
    """The purchase model the holdout chose, as clv_model_parameters recorded it."""
    (model,) = parameters["chosen_model"].unique()
    return model


CUSTOMER_COLUMNS = {
    "customer_id": "str", "scoring_date": "date", "purchase_model": "str", "frequency": "int64",
    "recency_weeks": "float64",
    "tenure_weeks": "float64", "average_repeat_value": "float64", "prediction_days": "int64",
    "expected_purchases": "float64", "probability_alive": "float64",
    "expected_average_order_value": "float64", "clv_horizon_months": "int64",
    "monthly_discount_rate": "float64", "clv": "float64",
}


def clv_bgnbd(run: Run, model: str, settings: dict) -> pd.DataFrame:
    """clv_bgnbd: one row per customer with a purchase up to the as-of date, scored by the
    purchase model `model` the holdout chose (empty when the scoring fit was skipped)."""
    if run.fit is not None and model not in run.fit.purchase_models:
        model = next(iter(run.fit.purchase_models))  # the chosen one did not converge today
    if run.fit is None:
        values = pd.DataFrame(columns=["frequency", "recency", "T", "monetary_value",
                                       "expected_purchases", "probability_alive",
                                       "expected_average_order_value", "clv"])
    else:
        values = customer_values(run.fit, settings["prediction_days"],
                                 settings["horizon_months"], settings["monthly_discount_rate"],
                                 model)
    n = len(values)
    frame = pd.DataFrame({
        "customer_id": values.index.astype("str"),
        "scoring_date": pd.Series([run.as_of] * n, dtype="object"),
        "purchase_model": model,
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


MODEL_PARAMETERS = {"bgnbd": ("r", "alpha", "a", "b"), "paretonbd": ("r", "alpha", "s", "beta"),
                    "gamma_gamma": ("p", "q", "v")}
PARAMETER_COLUMNS = {
    "fit_purpose": "str", "time_unit": "str", "calibration_start_date": "date",
    "calibration_end_date": "date", "customers": "Int64", "repeat_customers": "Int64",
    "spend_customers": "Int64",
    **{f"{model}_{name}": "float64" for model, names in MODEL_PARAMETERS.items()
       for name in names},
    "frequency_value_correlation": "float64",
    **{f"{model}_fit_seconds": "float64" for model in MODEL_PARAMETERS},
    **{f"{model}_tolerance": "float64" for model in MODEL_PARAMETERS},
    "chosen_model": "str", "choice_reason": "str", "skip_reason": "str",
}


def model_parameters(runs: list[Run], holdout: Run) -> pd.DataFrame:
    """clv_model_parameters: one row per fit (scoring, holdout) with the fitted parameters of
    each model (columns <model>_<parameter>), the calibration window, fit times and the purchase
    model the holdout chose for scoring; a skipped fit has its reason and null parameters."""
    chosen_model, choice_reason = choose_purchase_model(holdout)
    rows = []
    for run in runs:
        row: dict[str, object] = {
            "fit_purpose": run.purpose, "time_unit": UNIT_NAME,
            "calibration_end_date": run.calibration_end, "chosen_model": chosen_model,
            "choice_reason": choice_reason, "skip_reason": run.skip_reason}
        if run.fit is not None:
            fit, spenders = run.fit, spend_sample(run.fit.summary)
            fitters = {**fit.purchase_models, "gamma_gamma": fit.gamma_gamma}
            row["skip_reason"] = "; ".join(fit.failures.values()) or None
            row.update(
                calibration_start_date=fit.calibration_start, customers=len(fit.summary),
                repeat_customers=fit.repeat_customers, spend_customers=len(spenders),
                frequency_value_correlation=float(
                    spenders["frequency"].corr(spenders["monetary_value"])))
            for model, names in MODEL_PARAMETERS.items():
                if model not in fitters:
                    continue
                row.update({f"{model}_{name}": fitters[model].params_[name] for name in names})
                row[f"{model}_fit_seconds"] = fit.seconds[model]
                row[f"{model}_tolerance"] = fit.tolerances[model]
        rows.append(row)
    return _typed(pd.DataFrame(rows, columns=list(PARAMETER_COLUMNS)), PARAMETER_COLUMNS)


def metric_rows(run: Run, scored_customers: int) -> list[dict]:
    """model_metrics rows of the holdout run, for each purchase model (predictions.metrics_frame
    makes the table)."""
    common = {
        "baseline_name": BASELINE_NAME, "seasonal_baseline_name": SEASONAL_BASELINE_NAME,
        "feature_cutoff_date": run.calibration_end, "label_window_end_date": run.as_of,
        "scoring_date": run.as_of, "train_rows": 0, "test_rows": 0,
        "scored_rows": scored_customers, "class_balance": None, "skip_reason": run.skip_reason,
    }
    if run.fit is None:  # clv_bgnbd is then empty too (too few repeaters for either fit)
        return [{**common, "model_name": name, "scored_rows": 0, "metric": "skipped",
                 "model_value": np.nan, "baseline_value": np.nan,
                 "seasonal_baseline_value": np.nan} for name in PURCHASE_MODELS]
    holdout = run.holdout
    assert holdout is not None  # a holdout Run with a fit has its frame (run_configured)
    customers = len(holdout)  # fitted on and checked against the same customers
    common.update(train_rows=customers, test_rows=customers)
    failed = [{**common, "model_name": name, "metric": "skipped", "model_value": np.nan,
               "baseline_value": np.nan, "seasonal_baseline_value": np.nan,
               "skip_reason": reason} for name, reason in run.fit.failures.items()]
    return [{**common, "model_name": name, "metric": metric, "model_value": model,
             "baseline_value": baseline, "seasonal_baseline_value": seasonal,
             **improvement_columns(purchase_improvement(holdout, name)
                                   if metric == PRIMARY_METRIC else None,
                                   metric == PRIMARY_METRIC)}
            for name in run.fit.purchase_models
            for metric, (model, baseline, seasonal) in holdout_metrics(holdout, name).items()
            ] + failed


def mean_absolute_error(actual, forecast) -> float:
    """The mean absolute difference between forecast and actual."""
    return float(np.abs(np.asarray(forecast, dtype=float) - actual).mean())


def purchase_improvement(holdout: pd.DataFrame, model: str):
    """How many fewer purchases per customer the model misses than the calibration-rate
    baseline (MAE, lower is better), with its paired bootstrap interval over the customers."""
    return paired_bootstrap(mean_absolute_error, holdout["actual"].astype(float).to_numpy(),
                            holdout[model].to_numpy(), holdout["baseline"].to_numpy(),
                            higher_is_better=False)


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
