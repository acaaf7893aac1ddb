"""Sample size per arm to detect a given uplift (vars experiment_power_*); the formula is in
ecommerce_warehouse.experiments."""

import pandas as pd

from ecommerce_warehouse import experiments


def model(dbt, session):
    """One row: the sample size per arm for the configured baseline rate, uplift, alpha and
    power."""
    dbt.config(materialized="table")
    settings = dbt.config.get("meta")["experiment_power"]
    row = experiments.sample_size_per_arm(
        float(settings["baseline_rate"]), float(settings["min_uplift"]),
        alpha=float(settings["alpha"]), power=float(settings["power"]))
    return pd.DataFrame([row])
