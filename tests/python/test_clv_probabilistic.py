"""Probabilistic CLV (ecommerce_warehouse/clv_probabilistic.py) and the `cdnow` source adapter.

* Summary, holdout metrics and skip rules on hand-worked frames.
* Predictions against the closed forms of the papers, written out here (Fader, Hardie & Lee
  2005, eqs. 10 and 11 for BG/NBD; the Gamma-Gamma posterior mean; discounted monthly sums).
* Paper check on the warehouse built from the real CDNOW sample (SHARED_DATA_DIR/cdnow, skipped
  when absent), as of 1998-06-30 with a 273-day holdout, so that the holdout fit's calibration
  is the paper's 39 weeks: the summary of fct_orders equals the published one for every
  customer, and the maximum-likelihood fits give the published parameters: BG/NBD r = 0.243,
  alpha = 4.414, a = 0.793, b = 2.426, Pareto/NBD r = 0.553, alpha = 10.578, s = 0.606,
  beta = 11.669 (Fader, Hardie & Lee 2005, "Counting your customers the easy way"; SOURCE.md);
  Gamma-Gamma p = 6.25, q = 3.74, v = 15.44 on the 946 repeat customers (Fader & Hardie, "The
  Gamma-Gamma model of monetary value", 2013, the spend model of "RFM and CLV", 2005).
* dbt builds of the `cdnow` adapter on hand-made files in both layouts
  (tests/python/fixtures/cdnow, see its README), and of the real sample.
"""

import datetime as dt
import os
from pathlib import Path
from types import SimpleNamespace

import duckdb
import numpy as np
import pandas as pd
import pytest
import yaml
from scipy.special import hyp2f1

from ecommerce_warehouse import clv_probabilistic as clv
from ecommerce_warehouse import schemas

from dbt_runner import REPO_ROOT, build_warehouse, rows

FIXTURES = REPO_ROOT / "tests" / "python" / "fixtures" / "cdnow"
SHARED_DATA_DIR = Path(os.environ.get("SHARED_DATA_DIR", REPO_ROOT.parent / "shared" / "data"))
CDNOW = SHARED_DATA_DIR / "cdnow"
SAMPLE_FILE = CDNOW / "CDNOW_sample.txt.gz"
PUBLISHED_SUMMARY = CDNOW / "cdnow_customers_summary.csv.gz"
# the first 39 weeks of 1997: 1997-01-01 .. 1997-09-30 (T of a 1 January buyer = 272 / 7)
PAPER_CALIBRATION_END = "1997-09-30"
D = dt.date


def transactions(data):
    frame = pd.DataFrame(data, columns=["customer_id", "order_date", "net_amount"])
    return frame.assign(order_date=pd.to_datetime(frame["order_date"], format="mixed"))


# --- summary -------------------------------------------------------------------------------------

def test_summary_counts_days_not_orders():
    # a: orders on 1, 1 (same day: one occasion worth 30), 8 and 22 Jan; b: once on 15 Jan;
    # c: on 29 Jan, the window's last day (inclusive: T = 0); d: only after the window.
    occasions = clv.purchase_occasions(transactions([
        ("a", "2024-01-01", 10.0), ("a", "2024-01-01 18:30", 20.0), ("a", "2024-01-08", 5.0),
        ("a", "2024-01-22", 7.0), ("b", "2024-01-15", 3.0), ("c", "2024-01-29", 4.0),
        ("d", "2024-02-01", 9.0)]))
    assert len(occasions) == 6
    summary = clv.rfm_summary(occasions, "2024-01-29")
    assert summary.index.tolist() == ["a", "b", "c"]
    assert summary["frequency"].tolist() == [2, 0, 0]
    assert summary["recency"].tolist() == pytest.approx([21 / 7, 0, 0])
    assert summary["T"].tolist() == pytest.approx([28 / 7, 14 / 7, 0])
    # repeat occasions only: (5 + 7) / 2; the first day's 30 is left out
    assert summary["monetary_value"].tolist() == pytest.approx([6.0, 0.0, 0.0])
    # (15 Jan, 1 Feb]: a on 22 Jan, b only on the 15th itself (excluded), c on 29 Jan
    assert clv.occasions_between(occasions, summary.index, "2024-01-15", "2024-02-01").tolist() \
        == [1, 0, 1]


def test_occasions_from_orders_leave_returns_and_guests_out():
    orders = pd.DataFrame({
        "order_id": ["1", "2", "3", "4"], "customer_id": ["a", "a", None, "b"],
        "order_date": ["2024-01-01", "2024-01-05", "2024-01-05", "2024-01-06"],
        "is_return": [False, True, False, False], "has_coupon": [False] * 4,
        "net_amount": [12.5, -12.5, 8.0, 3.0],
        "promised_delivery_date": [None] * 4, "delivered_date": [None] * 4})
    occasions = clv.occasions_from_orders(orders)
    assert occasions.assign(occasion_date=occasions["occasion_date"].dt.date).values.tolist() \
        == [["a", D(2024, 1, 1), 12.5], ["b", D(2024, 1, 6), 3.0]]


def test_no_occasion_before_the_window_end_is_an_empty_summary_and_a_reason():
    # the tiny shop's case: every purchase after the holdout's calibration end
    occasions = clv.purchase_occasions(transactions([("a", "2024-03-01", 5.0)]))
    summary = clv.rfm_summary(occasions, "2024-02-01")
    assert len(summary) == 0
    with pytest.raises(clv.ClvSkipped, match="0 repeat customers"):
        clv.fit_models(occasions, "2024-02-01")


def test_baseline_and_holdout_metrics_by_hand():
    summary = pd.DataFrame({"frequency": [2, 0, 3], "T": [4.0, 0.0, 6.0]}, index=["a", "b", "c"])
    # rates 0.5 and 0.5 repeat purchases a week (b has T = 0: 0), over 14 days = 2 weeks
    assert clv.baseline_purchases(summary, 14).tolist() == pytest.approx([1.0, 0.0, 1.0])
    frame = pd.DataFrame({"bgnbd": [0.5, 0.2, 1.5], "paretonbd": [1.0, 0.0, 2.0],
                          "baseline": [1.0, 0.0, 1.0], "seasonal_baseline": [1.5, 0.0, 1.5],
                          "actual": [1, 0, 3]})
    metrics = clv.holdout_metrics(frame)
    # |errors|: bgnbd 0.5, 0.2, 1.5; baseline 0, 0, 2; seasonal 0.5, 0, 1.5
    assert metrics["mae_purchases"] == pytest.approx(
        ((0.5 + 0.2 + 1.5) / 3, (0 + 0 + 2) / 3, (0.5 + 0 + 1.5) / 3))
    assert metrics["aggregate_ratio"] == pytest.approx((2.2 / 4, 2.0 / 4, 3.0 / 4))
    # Pareto/NBD: |errors| 0, 0, 1 -> MAE 1/3 < BG/NBD's 2.2/3: chosen
    assert clv.holdout_metrics(frame, "paretonbd")["mae_purchases"][0] == pytest.approx(1 / 3)
    both_fitted = SimpleNamespace(purchase_models={"bgnbd": None, "paretonbd": None})
    holdout = clv.Run("holdout", D(2024, 3, 1), D(2024, 2, 15), fit=both_fitted, holdout=frame)
    name, reason = clv.choose_purchase_model(holdout)
    assert name == "paretonbd"
    assert reason.startswith("lower holdout MAE of purchases per customer (Pareto/NBD 0.3333, "
                             "BG/NBD 0.7333; fitted up to 2024-02-15, checked up to 2024-03-01)")
    # a tie goes to BG/NBD
    tie = clv.Run("holdout", D(2024, 3, 1), D(2024, 2, 15), fit=both_fitted,
                  holdout=frame.assign(paretonbd=frame["bgnbd"]))
    assert clv.choose_purchase_model(tie)[0] == "bgnbd"
    # no seasonal baseline (NaN): its metrics are NaN, not a sum over nothing
    metrics = clv.holdout_metrics(frame.assign(seasonal_baseline=np.nan))
    assert np.isnan(metrics["mae_purchases"][2]) and np.isnan(metrics["aggregate_ratio"][2])


def test_metric_rows_read_each_purchase_model_its_own_forecast():
    # the frame of test_baseline_and_holdout_metrics_by_hand: |errors| bgnbd 0.5, 0.2, 1.5;
    # paretonbd 0, 0, 1; baseline 0, 0, 2 (MAE 2/3). Each model's row has its own MAE and its
    # own improvement (baseline MAE - model MAE), never the other model's.
    frame = pd.DataFrame({"bgnbd": [0.5, 0.2, 1.5], "paretonbd": [1.0, 0.0, 2.0],
                          "baseline": [1.0, 0.0, 1.0], "seasonal_baseline": [1.5, 0.0, 1.5],
                          "actual": [1, 0, 3]})
    fit = SimpleNamespace(purchase_models={"bgnbd": None, "paretonbd": None}, failures={})
    run = clv.Run("holdout", D(2024, 3, 1), D(2024, 2, 15), fit=fit, holdout=frame)
    primary = {row["model_name"]: row for row in clv.metric_rows(run, scored_customers=3)
               if row["metric"] == clv.PRIMARY_METRIC}
    assert {name: (row["model_value"], row["baseline_value"], row["improvement"])
            for name, row in primary.items()} == {
        "bgnbd": pytest.approx((2.2 / 3, 2 / 3, 2 / 3 - 2.2 / 3)),
        "paretonbd": pytest.approx((1 / 3, 2 / 3, 2 / 3 - 1 / 3))}


def nbd_maximum_likelihood(frequency, T):
    """(r, alpha) of the NBD model (Poisson purchases, gamma-distributed rates, nobody drops
    out), fitted here with scipy on its likelihood Gamma(r+x)/Gamma(r) alpha^r / (alpha+T)^(r+x)
    (Fader, Hardie & Lee 2005, eq. 3 without the drop-out), apart from lifetimes."""
    from scipy.optimize import minimize
    from scipy.special import gammaln

    x, T = np.asarray(frequency, dtype=float), np.asarray(T, dtype=float)

    def negative_log_likelihood(log_params):
        r, alpha = np.exp(log_params)
        return -(gammaln(r + x) - gammaln(r) + r * np.log(alpha)
                 - (r + x) * np.log(alpha + T)).sum()

    found = minimize(negative_log_likelihood, np.zeros(2), method="Nelder-Mead",
                     options={"xatol": 1e-10, "fatol": 1e-12, "maxiter": 5000})
    return tuple(np.exp(found.x))


def test_without_drop_out_both_purchase_models_are_the_nbd_model_and_tie():
    # Why BG/NBD and Pareto/NBD can report the same holdout MAE (Online Retail: 0.9298 both,
    # differing in the 8th decimal): when the data show no drop-out, both maximum-likelihood
    # fits put it on the boundary (BG/NBD a -> 0, Pareto/NBD s -> 0) and both models become
    # the NBD model, whose r and alpha they then share. Here 36 customers all buy on the
    # window's last day (recency = T; 2 to 25 repeat purchases evenly spaced from a first week
    # 0-5 weeks into 2024): any drop-out lowers both likelihoods. Expected: r and alpha of the
    # NBD model fitted independently above, and its forecast (r + x) / (alpha + T) * t.
    end = pd.Timestamp("2024-12-29")
    rows_ = []
    for i in range(36):
        first, repeats = pd.Timestamp("2024-01-01") + pd.Timedelta(weeks=i % 6), \
            (2, 3, 5, 9, 15, 25)[i // 6]
        span = (end - first).days
        rows_ += [(f"c{i:02d}", first + pd.Timedelta(days=round(span * k / repeats)), 10.0)
                  for k in range(repeats + 1)]
    summary = clv.rfm_summary(clv.purchase_occasions(transactions(rows_)), end)
    assert (summary["recency"] == summary["T"]).all() and len(summary) == 36
    r, alpha = nbd_maximum_likelihood(summary["frequency"], summary["T"])
    weeks = 90 / clv.UNIT_DAYS
    nbd_forecast = (r + summary["frequency"]) / (alpha + summary["T"]) * weeks
    forecasts = {}
    for name in clv.PURCHASE_MODELS:
        model, _ = clv.fit_purchase_model(name, summary)
        p = model.params_
        drop_out = p["a"] / (p["a"] + p["b"]) if name == "bgnbd" else p["s"] / p["beta"]
        assert drop_out < 1e-6, (name, dict(p))
        assert (p["r"], p["alpha"]) == pytest.approx((r, alpha), rel=1e-3), name
        forecasts[name] = model.conditional_expected_number_of_purchases_up_to_time(
            weeks, summary["frequency"], summary["recency"], summary["T"])
        np.testing.assert_allclose(forecasts[name], nbd_forecast, rtol=1e-4)
    np.testing.assert_allclose(forecasts["bgnbd"], forecasts["paretonbd"], rtol=1e-4)


def test_seasonal_index_by_hand():
    # calibration end 2024-12-31 (a leap year): 365 days earlier is 2024-01-01, so the year is
    # (2024-01-01, 2024-12-31] and last year's 10-day window (2024-01-01, 2024-01-11].
    # Occasions (one per customer): 2 on 5 Jan and 2 on 8 Jan (in the window), 6 on 1 June,
    # 1 on 1 January itself (before the year: left out, but it shows the data cover the year).
    dates = ["2024-01-05"] * 2 + ["2024-01-08"] * 2 + ["2024-06-01"] * 6 + ["2024-01-01"]
    occasions = clv.purchase_occasions(transactions(
        [(f"c{i}", date, 1.0) for i, date in enumerate(dates)]))
    # window: 4 occasions / 10 days = 0.4 a day; year: 10 occasions / 365 days
    assert clv.seasonal_index(occasions, "2024-12-31", 10) == pytest.approx(0.4 / (10 / 365))
    # data starting after the year's first day: no full year, no index
    late = occasions[occasions["occasion_date"] > "2024-01-02"]
    assert clv.seasonal_index(late, "2024-12-31", 10) is None


def test_too_few_repeat_customers_is_a_reason_not_a_crash():
    occasions = clv.purchase_occasions(transactions(
        [(f"c{i}", "2024-01-01", 5.0) for i in range(30)]
        + [(f"c{i}", "2024-02-01", 5.0) for i in range(3)]))
    with pytest.raises(clv.ClvSkipped, match="3 repeat customers .* at least 20 needed"):
        clv.fit_models(occasions, "2024-03-01")
    run = clv.Run("scoring", D(2024, 3, 1), D(2024, 3, 1), skip_reason="too few")
    settings = {"prediction_days": 90, "horizon_months": 12, "monthly_discount_rate": 0.01}
    empty = clv.clv_bgnbd(run, "bgnbd", settings)
    assert len(empty) == 0 and list(empty.columns) == list(clv.CUSTOMER_COLUMNS)
    (row,) = clv.model_parameters([run], holdout=run).to_dict("records")
    assert row["skip_reason"] == "too few" and pd.isna(row["bgnbd_r"])
    assert (row["chosen_model"], row["choice_reason"]) == (
        "bgnbd", "BG/NBD by default: no holdout check (too few)")
    metrics = clv.metric_rows(run, scored_customers=30)
    assert [(m["model_name"], m["metric"], m["scored_rows"]) for m in metrics] == [
        ("bgnbd", "skipped", 0), ("paretonbd", "skipped", 0)]


def test_a_purchase_model_that_does_not_converge_leaves_the_other(monkeypatch):
    occasions = clv.purchase_occasions(transactions(
        [(f"c{i}", day, 5.0) for i in range(25) for day in ("2024-01-01", "2024-02-01")]))

    def fit_purchase_model(name, summary, **options):
        if name == "paretonbd":
            raise clv.ClvSkipped("paretonbd did not converge")
        return f"fitted {name}", 1e-7

    monkeypatch.setattr(clv, "fit_purchase_model", fit_purchase_model)
    monkeypatch.setattr(clv, "fit_gamma_gamma", lambda summary: ("fitted gamma-gamma", 1e-7))
    fit = clv.fit_models(occasions, "2024-03-01")
    assert fit.purchase_models == {"bgnbd": "fitted bgnbd"}
    assert fit.failures == {"paretonbd": "paretonbd did not converge"}
    # both failing: skipped, with both reasons
    monkeypatch.setattr(clv, "fit_purchase_model", lambda name, summary, **options: (
        _ for _ in ()).throw(clv.ClvSkipped(f"{name} did not converge")))
    with pytest.raises(clv.ClvSkipped, match="bgnbd did not converge; paretonbd did not"):
        clv.fit_models(occasions, "2024-03-01")


def test_models_rebuilt_from_their_parameters_predict_as_the_fitted_ones():
    # 60 customers, 1 to 8 purchases on random days of 2023 (seeded), each customer's values
    # around its own mean; fitted once as in clv_model_parameters, its rows stored in and read
    # back from DuckDB as the dbt models read them, then rebuilt without fitting: every
    # prediction equals the fitted models' (tolerance 1e-9).
    rng = np.random.default_rng(3)
    start = pd.Timestamp("2023-01-01")
    means = rng.gamma(2.0, 10.0, size=60)
    occasions = clv.purchase_occasions(transactions([
        (f"c{i}", start + pd.Timedelta(days=int(day)), float(rng.gamma(6.0, means[i] / 6.0)))
        for i in range(60) for day in rng.choice(365, size=rng.integers(1, 9), replace=False)]))
    holdout = clv.Run("holdout", D(2024, 1, 1), D(2023, 10, 3))
    holdout.fit, holdout.holdout = clv.holdout_check(occasions, D(2024, 1, 1), 90)
    scoring = clv.Run("scoring", D(2024, 1, 1), D(2024, 1, 1),
                      fit=clv.fit_models(occasions, D(2024, 1, 1)))
    parameters = clv.model_parameters([scoring, holdout], holdout=holdout)  # noqa: F841 (read below by duckdb.sql)
    stored = duckdb.sql("select * from parameters").df()
    for run in (scoring, holdout):
        (row,) = stored[stored["fit_purpose"] == run.purpose].to_dict("records")
        rebuilt = clv.fit_from_parameters(row, occasions)
        assert set(rebuilt.purchase_models) == {"bgnbd", "paretonbd"} and not rebuilt.failures
        pd.testing.assert_frame_equal(rebuilt.summary, run.fit.summary)
        for model in clv.PURCHASE_MODELS:
            pd.testing.assert_frame_equal(clv.customer_values(rebuilt, model=model),
                                          clv.customer_values(run.fit, model=model),
                                          check_exact=False, rtol=1e-9, atol=1e-9)
    pd.testing.assert_frame_equal(clv.holdout_frame(rebuilt, occasions, D(2024, 1, 1), 90),
                                  holdout.holdout, check_exact=False, rtol=1e-9, atol=1e-9)
    assert clv.chosen_purchase_model(stored) == clv.choose_purchase_model(holdout)[0]
    # a purchase model with null parameters did not converge: its reason is the row's
    failed = {**row, "paretonbd_r": None, "skip_reason": "no convergence"}
    rebuilt = clv.fit_from_parameters(failed, occasions)
    assert list(rebuilt.purchase_models) == ["bgnbd"]
    assert rebuilt.failures == {"paretonbd": "no convergence"}
    # a skipped fit (null Gamma-Gamma parameters too) rebuilds nothing
    assert clv.fit_from_parameters({**failed, "gamma_gamma_p": np.nan}, occasions) is None


# --- settings -------------------------------------------------------------------------------------

def test_model_metrics_reads_the_clv_models_settings():
    """model_metrics (python_models/predictions/) writes out the clv_probabilistic meta block of
    the CLV models (python_models/clv/): a YAML anchor does not reach another file."""
    meta = {}
    for path in (REPO_ROOT / "python_models").glob("*/_*__models.yml"):
        for model in yaml.safe_load(path.read_text())["models"]:
            if "clv_probabilistic" in model.get("config", {}).get("meta", {}):
                meta[model["name"]] = model["config"]["meta"]["clv_probabilistic"]
    assert sorted(meta) == ["clv_bgnbd", "clv_model_parameters", "model_metrics"]
    assert meta["model_metrics"] == meta["clv_bgnbd"] == meta["clv_model_parameters"]


# --- the real CDNOW sample, read from the warehouse -----------------------------------------------

def read_sample():
    if not SAMPLE_FILE.exists():
        pytest.skip(f"{SAMPLE_FILE} not found (set SHARED_DATA_DIR to the folder holding "
                    "cdnow/CDNOW_sample.txt.gz)")
    raw = pd.read_csv(SAMPLE_FILE, sep=r"\s+", header=None, dtype=str,
                      names=["master_id", "sample_id", "date", "cds", "dollars"])
    raw["date"] = pd.to_datetime(raw["date"], format="%Y%m%d")
    raw["dollars"] = raw["dollars"].astype(float)
    return raw


@pytest.fixture(scope="module")
def sample_warehouse(tmp_path_factory):
    """The warehouse of the CDNOW sample as of its last day, 1998-06-30, with a 273-day (39-week)
    holdout: the holdout fit's calibration ends 1997-09-30, the paper's."""
    read_sample()  # skips without the shared data
    with warehouse(CDNOW, tmp_path_factory, "cdnow_real",
                   ", cdnow_dataset: sample, as_of_date: '1998-06-30', clv_prediction_days: 273",
                   select=["+row_reconciliation", "+clv_model_parameters", "+clv_bgnbd",
                           "+model_metrics"]) as con:
        yield con


@pytest.fixture(scope="module")
def paper_fit(sample_warehouse):
    orders = sample_warehouse.sql("select * from fct_orders").df()
    occasions = clv.occasions_from_orders(orders)
    return clv.fit_models(occasions, PAPER_CALIBRATION_END)


@pytest.mark.dbt
def test_sample_keeps_every_transaction_and_customer(sample_warehouse):
    raw = read_sample()
    # the 8 transactions of 0.00 dollars are purchases (var zero_price_is_purchase): nothing
    # quarantined, every one of the 2,357 customers scored
    assert rows(sample_warehouse, """
        select raw_rows, clean_rows, quarantined_rows from row_reconciliation
        where source_table = 'order_lines'""") == [(6_919, 6_919, 0)]
    assert rows(sample_warehouse, "select count(*) from quarantined_rows") == [(0,)]
    assert rows(sample_warehouse, """
        select count(*) from fct_order_lines where unit_price = 0""") == [
        ((raw["dollars"] == 0).sum(),)]
    assert rows(sample_warehouse, "select round(sum(net_amount), 2) from fct_order_lines") == [
        (round(raw["dollars"].sum(), 2),)]
    assert rows(sample_warehouse, "select count(*) from clv_bgnbd") == [(2_357,)]


@pytest.mark.dbt
def test_summary_equals_the_published_summary(sample_warehouse, paper_fit):
    published = pd.read_csv(PUBLISHED_SUMMARY, dtype={"ID": str}).set_index("ID")
    # the warehouse's customer is the master id; the published summary uses the sample id
    sample_ids = dict(rows(sample_warehouse, """
        select distinct customer_id, cast(cast(sample_customer_id as integer) as varchar)
        from base_cdnow__transactions"""))
    ours = paper_fit.summary.rename(index=sample_ids)
    assert sorted(ours.index.astype(int)) == sorted(published.index.astype(int))
    joined = ours.join(published.add_suffix("_published"), how="inner")
    assert len(joined) == 2_357
    assert (joined["frequency"] == joined["frequency_published"]).all()
    # published to 2 decimals
    assert (joined["recency"] - joined["recency_published"]).abs().max() <= 0.005 + 1e-9
    assert (joined["T"] - joined["T_published"]).abs().max() <= 0.005 + 1e-9


PUBLISHED_BGNBD = {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}
PUBLISHED_PARETONBD = {"r": 0.553, "alpha": 10.578, "s": 0.606, "beta": 11.669}


@pytest.mark.dbt
def test_holdout_fit_of_the_warehouse_reproduces_the_paper(sample_warehouse):
    # clv_model_parameters' holdout row is fitted on the paper's 39 weeks. Tolerance: 0.001,
    # the rounding of the published 3 decimals (lifetimes' estimates to 4 decimals, SOURCE.md:
    # BG/NBD 0.2426, 4.4135, 0.7929, 2.4258; Pareto/NBD here 0.5533, 10.5777, 0.6062, 11.6687).
    names = ([f"bgnbd_{p}" for p in PUBLISHED_BGNBD]
             + [f"paretonbd_{p}" for p in PUBLISHED_PARETONBD])
    (row,) = rows(sample_warehouse, f"""
        select calibration_end_date, customers, {", ".join(names)}
        from clv_model_parameters where fit_purpose = 'holdout'""")
    assert row[:2] == (D(1997, 9, 30), 2_357)
    assert list(row[2:]) == pytest.approx(
        list(PUBLISHED_BGNBD.values()) + list(PUBLISHED_PARETONBD.values()), abs=0.001)


def test_bgnbd_reproduces_the_paper(paper_fit):
    params = paper_fit.purchase_models["bgnbd"].params_
    assert round(params["r"], 2) == 0.24 and round(params["alpha"], 2) == 4.41
    assert round(params["a"], 2) == 0.79 and round(params["b"], 2) == 2.43
    assert params[list(PUBLISHED_BGNBD)].tolist() == pytest.approx(
        list(PUBLISHED_BGNBD.values()), abs=0.001)


def test_paretonbd_reproduces_the_paper(paper_fit):
    params = paper_fit.purchase_models["paretonbd"].params_
    assert params[list(PUBLISHED_PARETONBD)].tolist() == pytest.approx(
        list(PUBLISHED_PARETONBD.values()), abs=0.001)


def test_gamma_gamma_reproduces_the_published_spend_model(paper_fit):
    assert paper_fit.repeat_customers == 946
    params = paper_fit.gamma_gamma.params_
    assert params[["p", "q", "v"]].tolist() == pytest.approx([6.25, 3.74, 15.44], abs=0.005)


def bgnbd_closed_forms(r, alpha, a, b, x, t_x, T, t):
    """E[Y(t) | x, t_x, T] (Fader, Hardie & Lee 2005, eq. 10) and P(alive | x, t_x, T)."""
    log_alive_weight = np.log(a) - np.log(b + x - 1) + (r + x) * np.log((alpha + T) / (alpha + t_x))
    alive_term = np.where(x > 0, np.exp(log_alive_weight), 0.0)
    p_alive = 1.0 / (1.0 + alive_term)
    z = t / (alpha + T + t)
    hyp = hyp2f1(r + x, b + x, a + b + x - 1, z)
    expected = ((a + b + x - 1) / (a - 1)) * (1 - ((alpha + T) / (alpha + T + t)) ** (r + x) * hyp)
    return expected / (1 + alive_term), p_alive


def test_predictions_follow_the_closed_forms(paper_fit):
    values = clv.customer_values(paper_fit, prediction_days=273, horizon_months=6,
                                 monthly_discount_rate=0.02)
    r, alpha, a, b = paper_fit.purchase_models["bgnbd"].params_[["r", "alpha", "a", "b"]]
    p, q, v = paper_fit.gamma_gamma.params_[["p", "q", "v"]]
    x, t_x, T, m = (values[c].to_numpy() for c in ("frequency", "recency", "T", "monetary_value"))
    expected, p_alive = bgnbd_closed_forms(r, alpha, a, b, x, t_x, T, 273 / 7)
    assert values["expected_purchases"].to_numpy() == pytest.approx(expected, rel=1e-6)
    assert values["probability_alive"].to_numpy() == pytest.approx(p_alive, rel=1e-6)
    aov = (q - 1) / (p * x + q - 1) * (v * p / (q - 1)) + (p * x) / (p * x + q - 1) * m
    assert values["expected_average_order_value"].to_numpy() == pytest.approx(aov, rel=1e-9)
    # one-time buyers get the population mean p v / (q - 1)
    assert aov[x == 0] == pytest.approx(v * p / (q - 1))
    month = 4.345  # weeks
    cumulative = [bgnbd_closed_forms(r, alpha, a, b, x, t_x, T, month * i)[0] for i in range(7)]
    discounted = sum((cumulative[i] - cumulative[i - 1]) * aov / 1.02 ** i for i in range(1, 7))
    assert values["clv"].to_numpy() == pytest.approx(discounted, rel=1e-6)


def paretonbd_p_alive(r, alpha, s, beta, x, t_x, T):
    """P(alive | x, t_x, T) of Pareto/NBD (Fader & Hardie, "A note on deriving the Pareto/NBD
    model and related expressions", 2005, eqs. 18-20): 1 / (1 + s / (r + s + x) (alpha + T)^(r+x)
    (beta + T)^s A0), A0 by the hypergeometric form for alpha >= beta or for alpha < beta."""
    rsx = r + s + x
    if alpha >= beta:
        def term(t):
            return hyp2f1(rsx, s + 1, rsx + 1, (alpha - beta) / (alpha + t)) / (alpha + t) ** rsx
    else:
        def term(t):
            return hyp2f1(rsx, r + x, rsx + 1, (beta - alpha) / (beta + t)) / (beta + t) ** rsx
    a0 = term(t_x) - term(T)
    return 1 / (1 + (s / rsx) * (alpha + T) ** (r + x) * (beta + T) ** s * a0)


def test_paretonbd_scores_follow_the_closed_form(paper_fit):
    # with the published estimates alpha (10.578) < beta (11.669): the second form of A0
    values = clv.customer_values(paper_fit, prediction_days=273, model="paretonbd")
    r, alpha, s, beta = paper_fit.purchase_models["paretonbd"].params_[["r", "alpha", "s", "beta"]]
    x, t_x, T = (values[c].to_numpy() for c in ("frequency", "recency", "T"))
    assert values["probability_alive"].to_numpy() == pytest.approx(
        paretonbd_p_alive(r, alpha, s, beta, x, t_x, T), rel=1e-6)


def test_paretonbd_of_a_customer_who_bought_on_the_last_day():
    # Parameters where lifetimes' own fitter gives NaN for a frequent buyer with t_x = T (the
    # demo shop's first fit). There A0 = 0, so P(alive) = 1 and E[Y(t)] is the alive part of
    # Fader & Hardie's eq. 41: (r + x)(beta + T) / ((alpha + T)(s - 1))
    # x [1 - ((beta + T) / (beta + T + t))^(s - 1)].
    params = {"r": 1.654, "alpha": 10.27, "s": 62.4, "beta": 11_534.8}
    x, t_x, T, t = np.array([20.0, 0.0]), np.array([87.0, 0.0]), np.array([87.0, 10.0]), 13.0
    lifetimes_fitter, ours = clv.ParetoNBDFitter(), clv.ParetoNBD()
    lifetimes_fitter.params_ = ours.params_ = pd.Series(params)
    assert np.isnan(lifetimes_fitter.conditional_probability_alive(x, t_x, T)[0])
    r, alpha, s, beta = params.values()
    alive_part = (r + x[0]) * (beta + T[0]) / ((alpha + T[0]) * (s - 1)) \
        * (1 - ((beta + T[0]) / (beta + T[0] + t)) ** (s - 1))
    assert ours.conditional_probability_alive(x, t_x, T)[0] == pytest.approx(1.0)
    expected = ours.conditional_expected_number_of_purchases_up_to_time(t, x, t_x, T)
    assert expected[0] == pytest.approx(alive_part, rel=1e-9)
    # t_x < T (a one-time buyer 10 weeks ago): the same value as lifetimes' own formula
    assert expected[1] == pytest.approx(
        lifetimes_fitter.conditional_expected_number_of_purchases_up_to_time(t, x, t_x, T)[1])


@pytest.mark.dbt
def test_warehouse_holdout_on_the_paper_window_beats_the_naive_rate(sample_warehouse):
    metrics = {(name, metric): (model, baseline, seasonal) for name, metric, model, baseline,
               seasonal in rows(sample_warehouse, """
        select model_name, metric, model_value, baseline_value, seasonal_baseline_value
        from model_metrics where model_name in ('bgnbd', 'paretonbd')""")}
    for name in ("bgnbd", "paretonbd"):
        model, baseline, seasonal = metrics[(name, "mae_purchases")]
        assert model < baseline
        # the calibration (1997-01-01 .. 09-30) is less than a year: no seasonal index
        assert seasonal is None
        model, baseline, _ = metrics[(name, "aggregate_ratio")]
        assert abs(model - 1) < abs(baseline - 1)
    (chosen, reason), = rows(sample_warehouse, """
        select distinct chosen_model, choice_reason from clv_model_parameters""")
    better = min(("bgnbd", "paretonbd"), key=lambda name: metrics[(name, "mae_purchases")][0])
    assert chosen == better and reason.startswith("lower holdout MAE")
    assert rows(sample_warehouse, "select distinct purchase_model from clv_bgnbd") == [(chosen,)]


# --- the cdnow adapter: dbt builds --------------------------------------------------------------

def warehouse(raw_dir, tmp_path_factory, name, extra, select=None):
    path = build_warehouse(raw_dir, tmp_path_factory.mktemp(name),
                           extra_vars="{source_system: cdnow" + extra + "}", select=select)
    return schemas.connect(path)


@pytest.fixture(scope="module")
def master(tmp_path_factory):
    # the whole project: every mart must build for a shop without products or countries
    with warehouse(FIXTURES, tmp_path_factory, "cdnow_master", "") as con:
        yield con


@pytest.mark.dbt
def test_master_fixture_quarantine(master):
    assert rows(master, """
        select source_row_number, reason, json_extract_string(raw_record, '$.ordered_at'),
            json_extract_string(raw_record, '$.unit_price')
        from quarantined_rows order by 1""") == [
        (9, "invalid_ordered_at", "1997013", "10.0"),              # 7-digit date
        (10, "missing_unit_price", "1997-01-10 00:00:00", None),   # no dollar value
        (12, "invalid_unit_price", "1997-01-15 00:00:00", "9.99 x"),  # an extra field
        (13, "invalid_ordered_at", "19971345", "9.99"),            # month 13
    ]
    assert rows(master, """
        select source_table, raw_rows, clean_rows, quarantined_rows, is_reconciled
        from row_reconciliation where is_provided_by_source order by 1""") == [
        ("customers", 7, 7, 0, True), ("order_lines", 13, 9, 4, True),
        ("products", 1, 1, 0, True)]


@pytest.mark.dbt
def test_master_fixture_lines(master):
    # header skipped (row 1 = first transaction); 5 CDs for 77.00 = 15.40 each; three lines of
    # customer 00002 on 12 Jan are three orders (the third equals the first); 0.00 dollars on
    # 5 Jan is a purchase (var zero_price_is_purchase: {cdnow: true})
    assert rows(master, """
        select order_id, customer_id, product_id, quantity, unit_price, net_amount,
            cast(order_date as varchar)
        from fct_order_lines order by order_id""") == [
        ("00001-19970101-1", "00001", "cdnow_cds", 1, 11.77, 11.77, "1997-01-01"),
        ("00002-19970112-1", "00002", "cdnow_cds", 1, 12.0, 12.0, "1997-01-12"),
        ("00002-19970112-2", "00002", "cdnow_cds", 5, 15.4, pytest.approx(77.0), "1997-01-12"),
        ("00002-19970112-3", "00002", "cdnow_cds", 1, 12.0, 12.0, "1997-01-12"),
        ("00003-19970102-1", "00003", "cdnow_cds", 2, 10.38, 20.76, "1997-01-02"),
        ("00003-19970330-1", "00003", "cdnow_cds", 2, 10.38, 20.76, "1997-03-30"),
        ("00003-19970402-1", "00003", "cdnow_cds", 3, 13.0, 39.0, "1997-04-02"),
        ("00004-19970105-1", "00004", "cdnow_cds", 1, 0.0, 0.0, "1997-01-05"),
        ("00004-19970220-1", "00004", "cdnow_cds", 1, 15.0, 15.0, "1997-02-20"),
    ]


@pytest.mark.dbt
def test_master_fixture_marts_without_products_or_countries(master):
    assert rows(master, "select product_id, product_name, category from dim_products") == [
        ("cdnow_cds", "CDs (titles not recorded)", None)]
    assert rows(master, "select count(*), count(country) from dim_customers") == [(7, 0)]
    assert rows(master, "select count(*) from basket_rules") == [(0,)]
    assert rows(master, "select distinct country from kpi_monthly_by_country") == [("Unknown",)]
    # 9 clean lines: 11.77 + 12 + 77 + 20.76 + 20.76 + 39 + 0 + 15 + 12
    assert rows(master, "select round(sum(net_revenue), 2) from kpi_monthly") == [(208.29,)]
    # 3 customers with purchases by 3 Jan 1997 (as-of 3 April minus 90 days): none repeat
    assert rows(master, """
        select model_name, skip_reason from model_metrics
        where model_name in ('bgnbd', 'paretonbd') order by 1""") == [
        (name, "0 repeat customers (0 with a positive repeat value) up to 1997-01-03; "
         "at least 20 needed (var clv_min_repeat_customers)") for name in ("bgnbd", "paretonbd")]
    assert rows(master, "select count(*) from clv_bgnbd") == [(0,)]


@pytest.mark.dbt
def test_sample_layout(tmp_path_factory):
    # no header, master_id before sample_id: only the staging view is built
    with warehouse(FIXTURES, tmp_path_factory, "cdnow_sample", ", cdnow_dataset: sample",
                   select=["base_cdnow__transactions"]) as con:
        assert rows(con, """
            select source_row_number, order_id, customer_id, sample_customer_id, ordered_at,
                quantity, unit_price
            from base_cdnow__transactions order by 1""") == [
            (1, "00001-19970101-1", "00001", "0001", "1997-01-01 00:00:00", "1", "11.77"),
            (2, "00003-19970102-1", "00003", "0002", "1997-01-02 00:00:00", "2", "10.38"),
            (3, "00003-19970330-1", "00003", "0002", "1997-03-30 00:00:00", "2", "10.38"),
            (4, "00003-19970402-1", "00003", "0002", "1997-04-02 00:00:00", "3", "13.0"),
        ]
