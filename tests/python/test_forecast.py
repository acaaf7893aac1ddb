"""Revenue forecast (ecommerce_warehouse/forecast.py): expected values worked out by hand."""

import numpy as np
import pandas as pd
import pytest

from ecommerce_warehouse import forecast as f
from ecommerce_warehouse import predictions, schemas
from ecommerce_warehouse.demo_shop import generate

from dbt_runner import build_warehouse, rows

WEEK = [10.0, 20.0, 30.0, 40.0, 50.0, 60.0, 70.0]


def series(values, start="2024-01-01"):
    return pd.Series(np.asarray(values, dtype=float),
                     index=pd.date_range(start, periods=len(values), freq="D"))


def weekly(days, noise=0.0, seed=1):
    rng = np.random.default_rng(seed)
    return series(np.resize(WEEK, days) + rng.normal(0, noise, days))


def test_seasonal_naive_repeats_the_last_week():
    # 14 days 1..14: the last week is 8..14, so the next 10 days are 8..14, 8, 9, 10
    got = f.seasonal_naive(series(range(1, 15)), 10)
    assert list(got) == [8, 9, 10, 11, 12, 13, 14, 8, 9, 10]


def test_daily_series_fills_missing_days_with_zero():
    frame = pd.DataFrame({"date_day": ["2024-01-01", "2024-01-03"], "net_revenue": [5.0, 7.0]})
    got = f.daily_series(frame)
    assert list(got) == [5.0, 0.0, 7.0] and got.index[1] == pd.Timestamp("2024-01-02")


def test_mape_by_hand():
    # |100-90|/100 = 0.1, |200-260|/200 = 0.3; the zero actual is left out
    assert f.mape([100, 200, 0], [90, 260, 5]) == pytest.approx(0.2)
    assert np.isnan(f.mape([0, 0], [1, 2]))


def test_pure_weekly_pattern_is_forecast_by_both():
    s = weekly(200, noise=0.01)
    fc = f.fit_forecast(s, horizon=14)
    # the 200 days end on weekday index 199 % 7 = 3 (40), so the next day is 50
    expected = np.resize(np.roll(WEEK, -(200 % 7)), 14)
    assert fc.daily["forecast"].to_numpy() == pytest.approx(expected, abs=0.1)
    assert f.seasonal_naive(s, 14) == pytest.approx(expected, abs=0.1)
    result = f.backtest(s, origins=3, horizon=30)
    model, naive = result.metrics["mape_30d_total"]
    assert model < 1e-3 and naive < 1e-3
    assert len(result.origins) == 3 and result.test_days == 90 and result.train_days == 170


def test_backtest_mape_by_hand():
    # 28 days of the weekly pattern, then a 30-day test window at double the pattern: seasonal
    # naive forecasts the plain pattern, total of 30 days from weekday 0 = 4 weeks (4 x 280)
    # + 10 + 20 = 1150, actual 2300, so its MAPE is 0.5; one origin only (58 days).
    s = series(np.concatenate([np.resize(WEEK, 28), 2 * np.resize(WEEK, 30)])
               + np.random.default_rng(3).normal(0, 0.001, 58))
    result = f.backtest(s, origins=6, horizon=30)
    assert len(result.origins) == 1
    assert result.metrics["mape_30d_total"][1] == pytest.approx(0.5, abs=1e-4)
    # ETS fitted on the plain pattern forecasts it too
    assert result.metrics["mape_30d_total"][0] == pytest.approx(0.5, abs=0.01)
    # one origin: no interval to judge the forecast by, so it is not said to beat the baseline
    (row,) = [r for r in f.metric_rows(result) if r["metric"] == "mape_30d_total"]
    assert row["is_primary_metric"] is True and row["beats_baseline"] is None


def yearly_peak_shop(days):
    """The weekly pattern, 200 more a day on days 250-363 of each 52-week year (a Q4 peak),
    and 5 more a day in the second year than on the same weekday 52 weeks before."""
    t = np.arange(days)
    values = (np.resize(WEEK, days) + 200.0 * ((t % 364) >= 250) + 5.0 * (t // 364)
              + np.random.default_rng(2).normal(0, 0.01, days))
    return series(values)


def test_year_over_year_method_forecasts_the_yearly_peak():
    # 624 days end on day 259 of the second year, 10 days into the peak. The last validation
    # window (days 230-259) holds the start of the peak, which only the year-over-year method
    # knows of, so it is chosen. It forecasts day t as day t - 364 plus the change of 5:
    # weekly pattern + 200 + 5 for days 260-289 (all in the peak), weekday 624 % 7 = 1 first.
    fc = f.fit_forecast(yearly_peak_shop(624), horizon=30)
    assert fc.method == f.YEAR_OVER_YEAR
    assert fc.choice.startswith(f.YEAR_OVER_YEAR + ": lowest MAPE")
    expected = np.resize(np.roll(WEEK, -(624 % 7)), 30) + 205.0
    assert fc.daily["forecast"].to_numpy() == pytest.approx(expected, abs=0.5)
    assert (fc.daily["lower_95"] < fc.daily["forecast"]).all()
    assert (fc.daily["forecast"] < fc.daily["upper_95"]).all()
    # the backtest chooses on the same windows at an origin on that day (30 days before the
    # end of 654 days), and its forecast of the 30-day total is right to 0.1 %
    result = f.backtest(yearly_peak_shop(654), origins=1, horizon=30)
    assert result.methods == [f.YEAR_OVER_YEAR]
    assert result.metrics["mape_30d_total"][0] < 0.001


def test_less_than_a_year_and_56_days_keeps_the_weekly_method():
    # the year-over-year method needs 364 + 56 days before each of the 3 validation windows,
    # so 509 days (the earliest window starts on day 419) are too few, 510 enough
    assert f.fit_forecast(yearly_peak_shop(509), horizon=7).method == f.WEEKLY
    assert "needs 420 days before each" in f.fit_forecast(yearly_peak_shop(509), horizon=7).choice
    assert "lowest MAPE" in f.fit_forecast(yearly_peak_shop(510), horizon=7).choice


def test_intervals_are_ordered_and_months_add_up():
    fc = f.fit_forecast(weekly(120, noise=5.0))
    frame = f.forecast_frame(fc)
    assert (frame["grain"] == "day").sum() == 90
    # 120 days from 2024-01-01 end on 2024-04-29: the horizon is 30 April to 28 July
    months = frame[frame["grain"] == "month"]
    assert list(months["forecast_days"]) == [1, 31, 30, 28]
    assert list(months["period_start"].astype(str)) == ["2024-04-01", "2024-05-01",
                                                         "2024-06-01", "2024-07-01"]
    days = frame[frame["grain"] == "day"]
    assert months["forecast"].sum() == pytest.approx(days["forecast"].sum())
    for lower, upper in (("lower_95", "lower_80"), ("lower_80", "forecast"),
                         ("forecast", "upper_80"), ("upper_80", "upper_95")):
        assert (frame[lower] <= frame[upper]).all(), (lower, upper)


def test_too_short_history_gives_a_skip_reason():
    short = weekly(20)
    fc = f.fit_forecast(short)
    assert "20 days of history" in fc.skip_reason and f.forecast_frame(fc).empty
    result = f.backtest(short)
    assert result.skip_reason.startswith("backtest: 20 days of history")
    metrics = predictions.metrics_frame(f.metric_rows(result))
    assert list(metrics["metric"]) == ["skipped"] and metrics["scored_rows"].iloc[0] == 0
    assert "with revenue" in f.fit_forecast(series([0.0] * 50 + [1.0] * 5)).skip_reason


@pytest.mark.dbt
def test_demo_build_has_the_forecast_and_its_backtest(tmp_path_factory):
    raw = tmp_path_factory.mktemp("forecast_raw")
    generate(raw, customers=300, seed=5, progress=False)
    work = tmp_path_factory.mktemp("forecast_build")
    path = build_warehouse(raw, work, select=["+revenue_forecast", "+model_metrics"])
    with schemas.connect(path) as con:
        counts = dict(rows(con, "select grain, count(*) from revenue_forecast group by 1"))
        assert counts["day"] == 90 and counts["month"] in (3, 4)
        (first,), = rows(con, "select min(period_start) from revenue_forecast where grain = 'day'")
        (last,), = rows(con, "select max(date_day) from kpi_daily")
        assert (first - last).days == 1
        got = {m: (v, b) for m, v, b in rows(con, """
            select metric, model_value, baseline_value from model_metrics
            where model_name = 'revenue_forecast'""")}
        (method,), = rows(con, "select distinct method from revenue_forecast")
        (estimator, choice), = rows(con, """select distinct estimator, estimator_choice
            from model_metrics where model_name = 'revenue_forecast'""")
        assert method == estimator and method in f.METHODS
        assert "Chosen at the backtest origins" in choice
        assert set(got) == {"mape_30d_total", "coverage_80", "coverage_95"}
        assert 0 <= got["coverage_80"][0] <= got["coverage_95"][0] <= 1
        assert got["mape_30d_total"][1] >= 0
