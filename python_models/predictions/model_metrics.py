"""One row per predictive model and metric, measured on held-out customers (classifiers) or on
the holdout window (BG/NBD and Pareto/NBD, also next to a seasonal baseline), next to a naive
baseline (and the revenue forecast's rolling-origin backtest against seasonal naive,
ecommerce_warehouse.forecast); a model that could not be fitted gets
one row with its skip reason. The work is done by ecommerce_warehouse.predictions and
ecommerce_warehouse.clv_probabilistic."""

from ecommerce_warehouse import clv_probabilistic, forecast, predictions


def model(dbt, session):
    """The metric rows of the three classifiers, the BG/NBD and Pareto/NBD holdout check and the
    revenue forecast's backtest."""
    dbt.config(materialized="table")
    settings = predictions.settings_from_meta(dbt.config.get("meta"))
    orders, features = dbt.ref("fct_orders").df(), dbt.ref("customer_features").df()
    inputs = (orders, dbt.ref("int_reviews_cleaned").df(), features)
    runs = [predictions.run_configured(name, *inputs, settings)
            for name in ("churn", "next_purchase", "clv")]
    clv_settings = clv_probabilistic.settings_from_meta(dbt.config.get("meta"))
    # the holdout fit of clv_model_parameters, rebuilt from its parameters (not fitted again)
    holdout = clv_probabilistic.run_from_parameters(
        "holdout", orders, features, clv_settings, dbt.ref("clv_model_parameters").df())
    scored = clv_probabilistic.scored_customers(orders, holdout.as_of)
    backtest = forecast.backtest(forecast.daily_series(dbt.ref("kpi_daily").df()))
    return predictions.metrics_frame(predictions.metric_rows(runs)
                                     + clv_probabilistic.metric_rows(holdout, scored)
                                     + forecast.metric_rows(backtest))
