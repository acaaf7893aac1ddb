"""Daily and monthly net revenue forecast, next 90 days, with 80 % and 95 % intervals.

ETS with weekly seasonality, on the series or on its change from 52 weeks before (chosen on
the windows before the last day); the work is done by ecommerce_warehouse.forecast. Too little
history: empty (the reason is in model_metrics, model revenue_forecast).
"""

from ecommerce_warehouse import forecast


def model(dbt, session):
    """Forecast from kpi_daily's net revenue."""
    dbt.config(materialized="table")
    series = forecast.daily_series(dbt.ref("kpi_daily").df())
    return forecast.forecast_frame(forecast.fit_forecast(series))
