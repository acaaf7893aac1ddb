"""Wiring for the dbt Python models: their `predictions` meta block as :class:`Settings`, and
:func:`run_configured`, the Run a model needs, computed once per process."""

from __future__ import annotations

import threading
from dataclasses import dataclass

import pandas as pd

from ecommerce_warehouse.predictions.inputs import (
    DEFAULT_SEED,
    DEFAULT_WINDOW_DAYS,
    ORDER_COLUMNS,
    REVIEW_COLUMNS,
)
from ecommerce_warehouse.predictions.runs import Run, run_model, skipped_run


def meta_date(rendered) -> str | None:
    """A date var rendered into meta as "date <value>" (so that dbt keeps it a string); None
    when the var is null."""
    value = str(rendered or "").removeprefix("date").strip()
    return None if value in ("", "None", "none", "null") else value


@dataclass(frozen=True)
class Settings:
    """The settings of the prediction models (dbt vars, through the models' meta).

    Attributes
    ----------
    window_days : int
        The label window, and the cut-off's distance from the as-of date by default
        (``prediction_window_days``).
    cutoff : str or None
        The cut-off date (``prediction_cutoff_date``); None: as-of date minus the window.
    as_of : str or None
        The as-of date (``as_of_date``); None: customer_features' (int_as_of_date).
    seed : int
        The seed of the held-out split, the fits and the bootstrap (``prediction_seed``).
    artifact_dir : str or None
        Where the refitted models are saved (artifacts.save_artifact).
    """

    window_days: int = DEFAULT_WINDOW_DAYS
    cutoff: str | None = None
    as_of: str | None = None
    seed: int = DEFAULT_SEED
    artifact_dir: str | None = None


def settings_from_meta(meta: dict) -> Settings:
    """The `predictions` meta block (strings rendered from vars) as typed settings."""
    settings = meta["predictions"]
    return Settings(window_days=int(settings.get("window_days", DEFAULT_WINDOW_DAYS)),
                    cutoff=meta_date(settings.get("cutoff_date")),
                    as_of=meta_date(settings.get("as_of_date")),
                    seed=int(settings.get("seed", DEFAULT_SEED)),
                    artifact_dir=settings.get("artifact_dir"))


# dbt-duckdb runs the Python models of one build in the dbt process, and several of them need
# the same run (churn: churn_predictions, churn_drivers, churn_reliability, clv_predictions,
# model_metrics). A run is computed once per process for the same model, settings and input
# data; dbt's threads asking for it at once wait for the first.
_RUNS: dict = {}
_RUN_LOCKS: dict = {}
_RUNS_LOCK = threading.Lock()
MAX_KEPT_RUNS = 6


def fingerprint(frame: pd.DataFrame | None, columns) -> tuple | None:
    """Shape and content hash of the columns a run reads (None for no frame)."""
    if frame is None:
        return None
    used = frame[[c for c in columns if c in frame.columns]]
    return used.shape, int(pd.util.hash_pandas_object(used, index=False).sum())


def run_configured(name: str, orders, reviews, customer_features, settings: Settings) -> Run:
    """Run model `name` on the frames a dbt model loads (fct_orders, int_reviews_cleaned,
    customer_features) with settings_from_meta() settings. The as-of date is the var, else
    customer_features' as_of_date (the int_as_of_date model, so every mart agrees on "today").
    Computed once per process for the same inputs (the Run is shared: do not change it)."""
    as_of = resolve_as_of(settings.as_of, customer_features)
    if as_of is None:
        return skipped_run(name, settings.window_days, "no customer purchases to learn from")
    key = (name, str(as_of), settings,
           fingerprint(orders, ORDER_COLUMNS), fingerprint(reviews, REVIEW_COLUMNS))
    with _RUNS_LOCK:
        lock = _RUN_LOCKS.setdefault(key, threading.Lock())
    with lock:
        if key not in _RUNS:
            run = run_model(name, orders, reviews, as_of, settings.window_days, settings.cutoff,
                            settings.seed)
            with _RUNS_LOCK:
                while len(_RUNS) >= MAX_KEPT_RUNS:  # the oldest goes (dicts keep order)
                    _RUN_LOCKS.pop(next(iter(_RUNS)), None)
                    _RUNS.pop(next(iter(_RUNS)))
                _RUNS[key] = run
        return _RUNS[key]


def resolve_as_of(as_of_setting, customer_features):
    """The as_of_date var, else customer_features' as_of_date; None without customers."""
    if as_of_setting is not None:
        return as_of_setting
    dates = customer_features["as_of_date"].dropna()
    return dates.iloc[0] if len(dates) else None
