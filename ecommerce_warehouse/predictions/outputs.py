"""The tables of the dbt models, from a Run: churn_predictions, churn_drivers,
churn_reliability, next_purchase_predictions, clv_predictions and model_metrics.

Churn's drivers always come from a logistic regression (an extra fit when gradient boosting
scores): its standardised coefficients are the feature importances (``churn_drivers``); a
customer's top churn drivers are the features with the largest positive contribution
(coefficient x standardised value) to that model's churn score.

Historical CLV (``clv_predictions``): revenue to date, and the classic formula
average order value x purchase frequency (purchases per year of tenure, tenure at least one
window) x expected lifespan (years) where expected lifespan = 1 / annual churn rate, the annual
churn rate being the churn share of the latest labelled window compounded to a year:
``1 - (1 - p) ** (365 / window)``; capped at ``MAX_LIFESPAN_YEARS``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
from sklearn.pipeline import Pipeline
from threadpoolctl import threadpool_limits

from ecommerce_warehouse.evaluation import Improvement
from ecommerce_warehouse.predictions.features import FEATURES
from ecommerce_warehouse.predictions.fitting import matrix
from ecommerce_warehouse.predictions.inputs import DEFAULT_WINDOW_DAYS
from ecommerce_warehouse.predictions.runs import Run, label_window_end
from ecommerce_warehouse.predictions.tasks import TASKS

MAX_LIFESPAN_YEARS = 10.0
TOP_DRIVERS = 3
RELIABILITY_BINS = 10


def _empty(columns: dict) -> pd.DataFrame:
    return pd.DataFrame({name: pd.Series(dtype=dtype) for name, dtype in columns.items()})


def _dates(value, n) -> pd.Series:
    return pd.Series([value] * n, dtype=pd.ArrowDtype(pa.date32()))


def _today_features(run: Run) -> pd.DataFrame:
    """The features of the customers a scored run scored (run.scores is not None)."""
    assert run.today_features is not None   # runs._run sets it with run.scores
    return run.today_features


def coefficients(estimator: Pipeline) -> np.ndarray:
    """Standardised coefficients of the positive class (binary model)."""
    return estimator.named_steps["model"].coef_[0]


def churn_drivers(run: Run) -> pd.DataFrame:
    """One row per feature: coefficient on the standardised (log) feature, importance =
    |coefficient| / sum |coefficients|, rank by importance, and its direction."""
    columns = {"feature": "str", "importance_rank": "int64", "coefficient": "float64",
               "importance": "float64", "direction": "str"}
    if run.explainer is None:
        return _empty(columns)
    coef = coefficients(run.explainer)
    total = float(np.abs(coef).sum()) or 1.0
    frame = pd.DataFrame({"feature": pd.Series(FEATURES, dtype="str"),
                          "coefficient": coef.astype(float),
                          "importance": np.abs(coef) / total})
    frame["direction"] = pd.Series(np.where(coef > 0, "raises churn", "lowers churn"),
                                   dtype="str")
    frame = frame.sort_values(["importance", "feature"], ascending=[False, True],
                              ignore_index=True)
    frame["importance_rank"] = np.arange(1, len(frame) + 1, dtype="int64")
    return frame[list(columns)]


def top_drivers(estimator: Pipeline, features: pd.DataFrame, k: int = TOP_DRIVERS) -> list[str]:
    """Per customer: the k features adding most to its churn score (coefficient x standardised
    value, positive contributions only), comma-separated, largest first."""
    with threadpool_limits(limits=1):
        z = estimator[:-1].transform(matrix(features))
    contribution = z * coefficients(estimator)
    names = np.array(FEATURES)
    out = []
    for row in contribution:
        order = [i for i in np.argsort(-row, kind="stable") if row[i] > 0][:k]
        out.append(", ".join(names[order]))
    return out


def churn_predictions(run: Run) -> pd.DataFrame:
    """The churn_predictions table: per customer scored, the churn probability, whether it is 0.5 or
    more and the top drivers; empty for a skipped run."""
    columns = {"customer_id": "str", "scoring_date": "object", "churn_window_days": "int64",
               "churn_probability": "float64", "is_predicted_churn": "bool",
               "top_drivers": "str"}
    if run.scores is None:
        frame = _empty(columns)
        frame["scoring_date"] = _dates(run.as_of, 0)
        return frame
    today = _today_features(run)
    n = len(today)
    probability = run.scores["1"].to_numpy()
    return pd.DataFrame({
        "customer_id": pd.Series(today["customer_id"].to_numpy(), dtype="str"),
        "scoring_date": _dates(run.as_of, n),
        "churn_window_days": pd.Series([run.window_days] * n, dtype="int64"),
        "churn_probability": probability.astype(float),
        "is_predicted_churn": probability >= 0.5,
        "top_drivers": pd.Series(top_drivers(run.explainer, today), dtype="str"),
    })


def reliability_table(truth, probability, bins: int = RELIABILITY_BINS) -> pd.DataFrame:
    """Calibration of a predicted probability: equal-width bins [k / bins, (k + 1) / bins)
    (the last one closed at 1), each with its customers, mean predicted probability and the
    observed share of positives. A calibrated model has the two close in every bin; empty bins
    are left out."""
    probability = np.asarray(probability, dtype=float)
    truth = np.asarray(truth, dtype=float)
    number = np.minimum((probability * bins).astype(int), bins - 1)
    frame = pd.DataFrame({"probability_bin": number + 1, "probability": probability,
                          "truth": truth})
    table = frame.groupby("probability_bin").agg(
        customers=("truth", "size"), mean_predicted_probability=("probability", "mean"),
        observed_share=("truth", "mean")).reset_index()
    table["probability_bin"] = table["probability_bin"].astype("int64")
    table["customers"] = table["customers"].astype("int64")
    table.insert(1, "bin_lower", (table["probability_bin"] - 1) / bins)
    table.insert(2, "bin_upper", table["probability_bin"] / bins)
    return table


def churn_reliability(run: Run) -> pd.DataFrame:
    """The churn probability's reliability table on the held-out customers (the evaluated
    model, not the one refitted for today), with the cut-off it was measured at."""
    columns = {"probability_bin": "int64", "bin_lower": "float64", "bin_upper": "float64",
               "customers": "int64", "mean_predicted_probability": "float64",
               "observed_churn_share": "float64", "feature_cutoff_date": "object"}
    if run.holdout is None:
        frame = _empty(columns)
        frame["feature_cutoff_date"] = _dates(run.cutoff, 0)
        return frame
    table = reliability_table(run.holdout["truth"], run.holdout["probability"]).rename(
        columns={"observed_share": "observed_churn_share"})
    table["feature_cutoff_date"] = _dates(run.cutoff, len(table))
    return table[list(columns)]


def next_purchase_predictions(run: Run) -> pd.DataFrame:
    """The next_purchase_predictions table: per customer scored, the predicted class and each
    class's probability; empty for a skipped run."""
    probability_columns = ["probability_0_30", "probability_30_60", "probability_60_90",
                           "probability_90_plus"]
    columns = {"customer_id": "str", "scoring_date": "object", "predicted_class": "str",
               **{c: "float64" for c in probability_columns}}
    if run.scores is None:
        frame = _empty(columns)
        frame["scoring_date"] = _dates(run.as_of, 0)
        return frame
    today = _today_features(run)
    n = len(today)
    proba = run.scores.to_numpy()
    frame = pd.DataFrame({
        "customer_id": pd.Series(today["customer_id"].to_numpy(), dtype="str"),
        "scoring_date": _dates(run.as_of, n),
        "predicted_class": pd.Series(run.today_classes, dtype="str"),
    })
    for index, column in enumerate(probability_columns):
        frame[column] = proba[:, index].astype(float)
    return frame


def expected_lifespan_years(churn_share: float, window_days: int) -> float:
    """1 / annual churn rate, the window's churn share compounded to 365 days; capped."""
    annual = 1.0 - (1.0 - churn_share) ** (365.0 / window_days)
    return float(min(1.0 / annual, MAX_LIFESPAN_YEARS)) if annual > 0 else MAX_LIFESPAN_YEARS


def historical_clv(features: pd.DataFrame, lifespan_years: float,
                   window_days: int = DEFAULT_WINDOW_DAYS) -> pd.DataFrame:
    """revenue_to_date, average_order_value, purchase_frequency_per_year (purchases per year of
    tenure, tenure at least one window), expected_lifespan_years, historical_clv (= AOV x
    frequency x lifespan)."""
    years = features["tenure_days"].astype(float).clip(lower=window_days) / 365.0
    per_year = features["frequency"].astype(float) / years
    aov = features["average_order_value"].astype(float)
    return pd.DataFrame({
        "revenue_to_date": features["monetary"].astype(float).to_numpy(),
        "average_order_value": aov.to_numpy(),
        "purchase_frequency_per_year": per_year.to_numpy(),
        "expected_lifespan_years": np.full(len(features), float(lifespan_years)),
        "historical_clv": (aov * per_year * lifespan_years).to_numpy(),
    })


def clv_predictions(run: Run, churn_share: float | None) -> pd.DataFrame:
    """Value class predictions plus historical CLV; churn_share from the churn run (its
    latest-window churn share) gives the expected lifespan."""
    columns = {"customer_id": "str", "scoring_date": "object", "predicted_value_class": "str",
               "probability_low": "float64", "probability_medium": "float64",
               "probability_high": "float64", "revenue_to_date": "float64",
               "average_order_value": "float64", "purchase_frequency_per_year": "float64",
               "expected_lifespan_years": "float64", "historical_clv": "float64"}
    if run.scores is None or churn_share is None:
        frame = _empty(columns)
        frame["scoring_date"] = _dates(run.as_of, 0)
        return frame
    today = _today_features(run)
    n = len(today)
    proba = run.scores.to_numpy()
    frame = pd.DataFrame({
        "customer_id": pd.Series(today["customer_id"].to_numpy(), dtype="str"),
        "scoring_date": _dates(run.as_of, n),
        "predicted_value_class": pd.Series(run.today_classes, dtype="str"),
        "probability_low": proba[:, 0], "probability_medium": proba[:, 1],
        "probability_high": proba[:, 2],
    })
    lifespan = expected_lifespan_years(churn_share, run.window_days)
    history = historical_clv(today, lifespan, run.window_days)
    for column in history.columns:
        frame[column] = history[column].to_numpy()
    return frame[list(columns)]


def model_metrics(runs: list[Run]) -> pd.DataFrame:
    """One row per model and metric (model vs baseline on held-out customers); a skipped model
    gets one row, metric 'skipped', with its reason."""
    return metrics_frame(metric_rows(runs))


def metric_rows(runs: list[Run]) -> list[dict]:
    """model_metrics rows (dicts) of the classifier runs."""
    rows = []
    for run in runs:
        common = {
            "model_name": run.name, "baseline_name": run.baseline_name,
            "feature_cutoff_date": run.cutoff,
            "label_window_end_date": label_window_end(run),
            "scoring_date": run.as_of, "train_rows": run.train_rows,
            "test_rows": run.test_rows, "scored_rows": run.scored_rows,
            "class_balance": run.balance, "skip_reason": run.skip_reason,
            "estimator": None if run.skip_reason else run.chosen.label,
            "estimator_choice": run.choice,
        }
        if run.skip_reason:
            rows.append({**common, "metric": "skipped", "model_value": np.nan,
                         "baseline_value": np.nan})
            continue
        for metric, value in run.metrics.items():
            primary = metric == TASKS[run.name].primary_metric
            rows.append({**common, "metric": metric, "model_value": value,
                         "baseline_value": run.baseline_metrics.get(metric, np.nan),
                         **improvement_columns(run.improvement if primary else None, primary)})
    return rows


def improvement_columns(improvement: Improvement | None, primary: bool) -> dict:
    """model_metrics' primary-metric columns: the improvement over the baseline and its
    bootstrap 95 % interval, and beats_baseline (interval above zero); null on other rows."""
    if improvement is None:
        return {"is_primary_metric": primary, "improvement": np.nan,
                "improvement_ci_low": np.nan, "improvement_ci_high": np.nan,
                "beats_baseline": None}
    return {"is_primary_metric": primary, "improvement": improvement.improvement,
            "improvement_ci_low": improvement.ci_low,
            "improvement_ci_high": improvement.ci_high,
            "beats_baseline": improvement.beats_baseline}


def metrics_frame(rows: list[dict]) -> pd.DataFrame:
    """model_metrics rows (of any model) as the typed model_metrics table."""
    frame = pd.DataFrame(rows)
    order = ["model_name", "metric", "model_value", "baseline_name", "baseline_value",
             "seasonal_baseline_name", "seasonal_baseline_value", "is_primary_metric",
             "improvement", "improvement_ci_low", "improvement_ci_high", "beats_baseline",
             "feature_cutoff_date", "label_window_end_date", "scoring_date", "train_rows",
             "test_rows", "scored_rows", "class_balance", "estimator", "estimator_choice",
             "skip_reason"]
    frame = frame.reindex(columns=order)  # the classifiers have no seasonal baseline
    for column in ("feature_cutoff_date", "label_window_end_date", "scoring_date"):
        frame[column] = pd.Series(frame[column].tolist(),
                                  dtype=pd.ArrowDtype(pa.date32()))
    for column in ("train_rows", "test_rows", "scored_rows"):
        frame[column] = frame[column].astype("int64")
    for column in ("model_name", "metric", "baseline_name", "seasonal_baseline_name",
                   "class_balance", "estimator", "estimator_choice", "skip_reason"):
        frame[column] = frame[column].astype("str").where(frame[column].notna(), None)
    for column in ("model_value", "baseline_value", "seasonal_baseline_value", "improvement",
                   "improvement_ci_low", "improvement_ci_high"):
        frame[column] = frame[column].astype(float)
    frame["is_primary_metric"] = (frame["is_primary_metric"].astype("boolean").fillna(False)
                                  .astype(bool))
    frame["beats_baseline"] = frame["beats_baseline"].astype("boolean")
    return frame
