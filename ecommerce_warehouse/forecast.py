"""Daily net revenue forecast, behind the dbt models revenue_forecast and model_metrics.

The plain functions of python_models/forecast/revenue_forecast.py and of the
``revenue_forecast`` rows of ``model_metrics``.

Model
-----
One of two methods (``METHODS``), both statsmodels ``ETSModel`` with additive error, no trend
and additive weekly seasonality (period 7), parameters by maximum likelihood:

* ``WEEKLY``: on the daily series itself;
* ``YEAR_OVER_YEAR``: on the change from the same weekday 52 weeks before (y_t - y_{t-364}),
  with last year's values added back to the forecast and its intervals. This is the method
  that knows a shop's yearly season (a Q4 peak). It needs ``YEAR + MIN_CHANGE_DAYS`` days of
  history.

:meth:`Forecaster.choose` picks the method on the ``VALIDATION_WINDOWS`` 30-day windows just before
the day of the forecast, each method fitted on the days before each window, by the mean absolute
percentage error of the window totals. Only those days are used, never the days being forecast.
Daily 80 % / 95 % intervals come from the model's ``get_prediction(...).summary_frame(alpha=...)``;
monthly totals are the sums of the daily point forecasts, their intervals the quantiles of the
monthly sums of ``SIMULATIONS`` simulated paths (seed ``SEED``).

Baseline and backtest
---------------------
Seasonal naive: each day gets the value of the same weekday in the last observed week.
:func:`backtest` chooses the method and refits it, and seasonal naive, on rolling origins (each
``horizon`` days further back, the last test window ending on the last day of the series).
It reports the mean absolute percentage error of each window's ``horizon``-day total and the
share of test days inside the model's 80 % / 95 % daily intervals.

Too little history (fewer than ``MIN_HISTORY_DAYS`` days or ``MIN_NONZERO_DAYS`` days with
revenue) gives a skip reason, never an exception.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np
import pandas as pd

from ecommerce_warehouse.evaluation import Improvement, paired_bootstrap
from ecommerce_warehouse.predictions import improvement_columns

MODEL_NAME = "revenue_forecast"
WEEKLY = "ETS(A,N,A) weekly"
YEAR_OVER_YEAR = "ETS(A,N,A) weekly on the change from 52 weeks before"
METHODS = (WEEKLY, YEAR_OVER_YEAR)
YEAR = 364                # 52 weeks: a year before, on the same weekday
MIN_CHANGE_DAYS = 56      # days of year-over-year change YEAR_OVER_YEAR is fitted on, at least
VALIDATION_WINDOWS = 3
VALIDATION_DAYS = 30
BASELINE_NAME = "seasonal_naive"
SEASON = 7
HORIZON_DAYS = 90
MIN_HISTORY_DAYS = 28
MIN_NONZERO_DAYS = 14
SIMULATIONS = 1000
SEED = 42
LEVELS = (80, 95)
MIN_INTERVAL_ORIGINS = 3


def daily_series(frame: pd.DataFrame, date_column="date_day",
                 value_column="net_revenue") -> pd.Series:
    """Return a date-indexed daily float series of a frame, missing days filled with 0."""
    if frame.empty:
        return pd.Series(dtype=float, index=pd.DatetimeIndex([], freq="D"))
    values = pd.Series(frame[value_column].astype(float).to_numpy(),
                       index=pd.to_datetime(frame[date_column]).dt.normalize()).groupby(level=0).sum()
    days = pd.date_range(values.index.min(), values.index.max(), freq="D")
    return values.reindex(days, fill_value=0.0).fillna(0.0)


def skip_reason(series: pd.Series, min_days: int = MIN_HISTORY_DAYS) -> str | None:
    """Why the series is too short to fit (None when it can be fitted)."""
    nonzero = int((series != 0).sum())
    if len(series) < min_days or nonzero < MIN_NONZERO_DAYS:
        return (f"{len(series)} days of history ({nonzero} with revenue); at least {min_days} "
                f"days with {MIN_NONZERO_DAYS} with revenue needed")
    return None


def feasible(values: np.ndarray, method: str) -> bool:
    """Whether `method` can be fitted on a daily series of these values."""
    if skip_reason(pd.Series(values)) is not None:
        return False
    return method == WEEKLY or len(values) >= YEAR + MIN_CHANGE_DAYS


class _Prediction(Protocol):
    """What daily_forecast reads of statsmodels' PredictionResults (statsmodels is untyped)."""

    @property
    def predicted_mean(self) -> pd.Series | np.ndarray: ...

    def summary_frame(self, endog: int = 0, alpha: float = 0.05) -> pd.DataFrame: ...


class _ETSResults(Protocol):
    """What is used of a fitted statsmodels ETSResults (statsmodels is untyped)."""

    @property
    def nobs(self) -> int: ...

    def get_prediction(self, start: int | None = None, end: int | None = None) -> _Prediction: ...

    def simulate(self, nsimulations: int, anchor: str | None = None, repetitions: int = 1,
                 random_errors: object = None, rng: np.random.Generator | None = None
                 ) -> pd.DataFrame | pd.Series | np.ndarray: ...


@dataclass
class Fitted:
    """A fitted ETS model and what is added back to its forecast (last year's values, or 0)."""

    ets: _ETSResults
    last_year: np.ndarray | None = None   # the last YEAR days (YEAR_OVER_YEAR only)

    def offset(self, horizon: int) -> np.ndarray:
        """What is added back to the next `horizon` days of the forecast: zeros, or last year's
        values (YEAR_OVER_YEAR, at most YEAR days ahead)."""
        if self.last_year is None:
            return np.zeros(horizon)
        if horizon > YEAR:
            raise ValueError(f"{YEAR_OVER_YEAR} forecasts at most {YEAR} days ahead")
        return self.last_year[:horizon]


def _fit(values, method: str = WEEKLY) -> Fitted:
    from statsmodels.tsa.exponential_smoothing.ets import ETSModel

    values = np.asarray(values, dtype=float)
    last_year = None
    if method == YEAR_OVER_YEAR:
        last_year = values[-YEAR:]
        values = values[YEAR:] - values[:-YEAR]
    model = ETSModel(pd.Series(values), error="add", trend=None, seasonal="add",
                     seasonal_periods=SEASON)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return Fitted(model.fit(disp=False), last_year)


def daily_forecast(fitted: Fitted, horizon: int) -> pd.DataFrame:
    """Point forecast and 80 % / 95 % intervals of the next `horizon` days."""
    n = fitted.ets.nobs
    prediction = fitted.ets.get_prediction(start=n, end=n + horizon - 1)
    offset = fitted.offset(horizon)
    frame = pd.DataFrame({"forecast": np.asarray(prediction.predicted_mean, dtype=float) + offset})
    for level in LEVELS:
        summary = prediction.summary_frame(alpha=1 - level / 100)
        frame[f"lower_{level}"] = summary["pi_lower"].to_numpy(dtype=float) + offset
        frame[f"upper_{level}"] = summary["pi_upper"].to_numpy(dtype=float) + offset
    return frame


class Forecaster:
    """Fits and forecasts of one series, each computed once (the backtest's validation windows
    are the earlier origins' test windows)."""

    def __init__(self, series: pd.Series):
        self.values = series.reset_index(drop=True).to_numpy(dtype=float)
        self._forecasts: dict = {}

    def forecast(self, method: str, end: int, horizon: int) -> pd.DataFrame:
        """`method` fitted on the first `end` days, forecasting the `horizon` days after."""
        key = (method, end, horizon)
        if key not in self._forecasts:
            self._forecasts[key] = daily_forecast(_fit(self.values[:end], method), horizon)
        return self._forecasts[key]

    def choose(self, end: int) -> tuple[str, str]:
        """(method, why) for a forecast made after the first `end` days.

        Each feasible method is scored on the VALIDATION_WINDOWS windows of VALIDATION_DAYS
        days before `end`, fitted on the days before each window: the lowest mean absolute
        percentage error of the window totals wins (a tie: the earlier of METHODS). WEEKLY when
        no other method can be fitted before each window."""
        starts = [end - VALIDATION_DAYS * k for k in range(1, VALIDATION_WINDOWS + 1)]
        eligible = [method for method in METHODS
                    if min(starts) > 0 and all(feasible(self.values[:start], method)
                                               for start in starts)]
        if len(eligible) < 2:
            return WEEKLY, (f"{WEEKLY}: the only method with enough history before the "
                            f"{VALIDATION_WINDOWS} validation windows of {VALIDATION_DAYS} days "
                            f"({YEAR_OVER_YEAR} needs {YEAR + MIN_CHANGE_DAYS} days before each)")
        scores = {}
        for method in eligible:
            actual = [self.values[start:start + VALIDATION_DAYS].sum() for start in starts]
            predicted = [self.forecast(method, start, VALIDATION_DAYS)["forecast"].sum()
                         for start in starts]
            scores[method] = mape(actual, predicted)
        chosen = min(scores, key=lambda method: (np.nan_to_num(scores[method], nan=np.inf),
                                                 METHODS.index(method)))
        listed = ", ".join(f"{method} {score:.4f}" for method, score in scores.items())
        return chosen, (f"{chosen}: lowest MAPE of the {VALIDATION_DAYS}-day totals on the "
                        f"{VALIDATION_WINDOWS} windows before ({listed})")


@dataclass
class Forecast:
    """Daily and monthly rows of a fit, or the skip reason."""

    daily: pd.DataFrame = field(default_factory=pd.DataFrame)
    monthly: pd.DataFrame = field(default_factory=pd.DataFrame)
    method: str | None = None
    choice: str | None = None     # why the method (Forecaster.choose)
    skip_reason: str | None = None


def fit_forecast(series: pd.Series, horizon: int = HORIZON_DAYS, seed: int = SEED,
                 simulations: int = SIMULATIONS) -> Forecast:
    """Choose the method, fit it on a daily series and forecast the next `horizon` days.

    Parameters
    ----------
    series : pandas.Series
        Daily net revenue indexed by consecutive dates (see :func:`daily_series`).
    horizon : int
        Days to forecast, starting the day after the last date.

    Returns
    -------
    Forecast
        ``daily``: period_start, forecast_days (1), forecast, lower/upper_80, lower/upper_95;
        ``monthly``: the same per calendar month of the horizon (forecast_days = days of the
        horizon in the month), ``method`` and ``choice``; or ``skip_reason`` with empty
        frames.
    """
    reason = skip_reason(series)
    if reason:
        return Forecast(skip_reason=reason)
    start = series.index[-1] + pd.Timedelta(days=1)
    forecaster = Forecaster(series)
    method, choice = forecaster.choose(len(series))
    fitted = _fit(forecaster.values, method)
    daily = daily_forecast(fitted, horizon)
    daily.insert(0, "period_start", pd.date_range(start, periods=horizon, freq="D"))
    daily.insert(1, "forecast_days", 1)
    paths = np.asarray(fitted.ets.simulate(nsimulations=horizon, repetitions=simulations,
                                           anchor="end", rng=np.random.default_rng(seed)),
                       dtype=float).reshape(horizon, simulations) + fitted.offset(horizon)[:, None]
    months = daily["period_start"].dt.to_period("M")
    rows = []
    for month in months.unique():
        inside = (months == month).to_numpy()
        totals = paths[inside].sum(axis=0)
        row = {"period_start": month.to_timestamp(), "forecast_days": int(inside.sum()),
               "forecast": float(daily.loc[inside, "forecast"].sum())}
        for level in LEVELS:
            tail = (100 - level) / 200
            row[f"lower_{level}"], row[f"upper_{level}"] = np.quantile(totals, [tail, 1 - tail])
        rows.append(row)
    return Forecast(daily=daily, monthly=pd.DataFrame(rows), method=method, choice=choice)


def seasonal_naive(series: pd.Series, horizon: int) -> np.ndarray:
    """Each of the next `horizon` days: the value of the same weekday in the last week."""
    last_week = np.asarray(series, dtype=float)[-SEASON:]
    return np.resize(last_week, horizon)


def mape(actual, predicted) -> float:
    """Mean absolute percentage error (a share, 0.1 = 10 %).

    Over the pairs with actual != 0; NaN when there is none.
    """
    actual, predicted = np.asarray(actual, dtype=float), np.asarray(predicted, dtype=float)
    keep = actual != 0
    if not keep.any():
        return float("nan")
    return float(np.mean(np.abs(actual[keep] - predicted[keep]) / np.abs(actual[keep])))


@dataclass
class Backtest:
    """Rolling-origin results: metric -> (model value, baseline value), or a skip reason."""

    metrics: dict = field(default_factory=dict)
    origins: list = field(default_factory=list)
    test_days: int = 0
    train_days: int = 0
    last_day: object = None
    improvement: Improvement | None = None   # on the MAPE of the totals, over the origins
    methods: list = field(default_factory=list)   # chosen at each origin
    method: str | None = None     # chosen at the last day: the one revenue_forecast uses
    choice: str | None = None
    skip_reason: str | None = None


def backtest(series: pd.Series, origins: int = 6, horizon: int = 30) -> Backtest:
    """Choose and refit the model, and seasonal naive, on rolling origins and score them.

    Origin k (k = 1..origins) trains on the series up to ``horizon * k`` days before its end
    and is tested on the ``horizon`` days after; its method is chosen on the days before it
    (Forecaster.choose). Origins with fewer than MIN_HISTORY_DAYS training days are left out.

    Returns
    -------
    Backtest
        metrics ``mape_30d_total`` (MAPE of the window totals, model vs seasonal naive),
        ``coverage_80`` and ``coverage_95`` (share of test days inside the model's daily
        intervals; the baseline has none: NaN); or the skip reason.
    """
    forecaster = Forecaster(series)
    values = series.reset_index(drop=True).astype(float)
    result = Backtest(last_day=series.index[-1].date() if len(series) else None)
    actual_totals, model_totals, naive_totals = [], [], []
    inside: dict[int, list[bool]] = {level: [] for level in LEVELS}   # test day in interval
    for k in range(origins, 0, -1):
        end = len(values) - horizon * k
        train = values[:max(end, 0)]
        if skip_reason(train) is not None:
            continue
        test = values[end:end + horizon].to_numpy()
        method, _ = forecaster.choose(end)
        predicted = forecaster.forecast(method, end, horizon)
        result.methods.append(method)
        actual_totals.append(test.sum())
        model_totals.append(predicted["forecast"].sum())
        naive_totals.append(seasonal_naive(train, horizon).sum())
        for level in LEVELS:
            inside[level].extend((test >= predicted[f"lower_{level}"].to_numpy())
                                 & (test <= predicted[f"upper_{level}"].to_numpy()))
        result.origins.append(series.index[end - 1])
        result.train_days = end
    if not result.origins:
        result.skip_reason = (
            f"backtest: {len(values)} days of history, no origin with {MIN_HISTORY_DAYS} "
            f"training days ({MIN_NONZERO_DAYS} with revenue) before a {horizon}-day test window")
        return result
    result.test_days = len(result.origins) * horizon
    result.method, result.choice = forecaster.choose(len(values))
    result.metrics[f"mape_{horizon}d_total"] = (mape(actual_totals, model_totals),
                                                mape(actual_totals, naive_totals))
    # a few origins give a wide interval: the forecast beats seasonal naive only when the
    # origins agree; fewer than MIN_INTERVAL_ORIGINS give no interval (nothing to resample)
    if len(actual_totals) >= MIN_INTERVAL_ORIGINS:
        result.improvement = paired_bootstrap(mape, actual_totals, model_totals, naive_totals,
                                              higher_is_better=False)
    for level in LEVELS:
        result.metrics[f"coverage_{level}"] = (float(np.mean(inside[level])), float("nan"))
    return result


def forecast_frame(forecast: Forecast) -> pd.DataFrame:
    """Return the revenue_forecast rows of a forecast.

    Columns: grain ('day' / 'month'), period_start (date), forecast_days, forecast,
    lower/upper_80, lower/upper_95, model_name, method.
    """
    columns = ["grain", "period_start", "forecast_days", "forecast", "lower_80", "upper_80",
               "lower_95", "upper_95"]
    parts = [frame.assign(grain=grain) for grain, frame in
             (("day", forecast.daily), ("month", forecast.monthly)) if not frame.empty]
    frame = (pd.concat(parts, ignore_index=True)[columns] if parts
             else pd.DataFrame({c: [] for c in columns}))
    frame["grain"] = frame["grain"].astype("str")
    frame["period_start"] = pd.to_datetime(frame["period_start"]).dt.date
    frame["forecast_days"] = frame["forecast_days"].astype("int64")
    for column in columns[3:]:
        frame[column] = frame[column].astype(float)
    frame["model_name"] = MODEL_NAME
    frame["method"] = forecast.method
    return frame


def _choice_text(result: Backtest) -> str | None:
    if result.skip_reason:
        return None
    counts = ", ".join(f"{method} at {result.methods.count(method)} of {len(result.methods)}"
                       for method in METHODS if method in result.methods)
    return f"{result.choice}. Chosen at the backtest origins: {counts}"


def metric_rows(result: Backtest, scored_days: int = HORIZON_DAYS) -> list[dict]:
    """Return the model_metrics rows of a backtest (predictions.metrics_frame makes the table).

    feature_cutoff_date = the last origin, label_window_end_date = scoring_date = the last
    day of the series, train_rows = days before the last origin, test_rows = test days,
    scored_rows = days forecast; estimator = the method chosen at the last day (the one
    revenue_forecast uses), estimator_choice = why, and the methods of the origins.
    """
    common = {"model_name": MODEL_NAME, "baseline_name": BASELINE_NAME,
              "feature_cutoff_date": result.origins[-1].date() if result.origins else None,
              "label_window_end_date": result.last_day, "scoring_date": result.last_day,
              "train_rows": result.train_days, "test_rows": result.test_days,
              "scored_rows": 0 if result.skip_reason else scored_days,
              "class_balance": None, "skip_reason": result.skip_reason,
              "estimator": result.method, "estimator_choice": _choice_text(result)}
    if result.skip_reason:
        return [{**common, "metric": "skipped", "model_value": np.nan,
                 "baseline_value": np.nan}]
    return [{**common, "metric": metric, "model_value": model, "baseline_value": baseline,
             **improvement_columns(result.improvement if metric.startswith("mape") else None,
                                   metric.startswith("mape"))}
            for metric, (model, baseline) in result.metrics.items()]
