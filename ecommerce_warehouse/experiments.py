"""Experiment design: sample size per arm of a two-proportion test (python_models/
experiments/experiment_power.py). The retention experiment's analysis itself is SQL
(models/marts/experiments/retention_experiment.sql)."""

from __future__ import annotations

import math

from scipy.stats import norm


def sample_size_per_arm(baseline_rate: float, uplift: float, alpha: float = 0.05,
                        power: float = 0.80) -> dict:
    """Customers needed in EACH arm to detect an absolute uplift of the rate with a two-sided
    two-proportion z-test at significance alpha and the given power (standard formula below, no
    continuity correction).

        n = (z_{1-alpha/2} sqrt(2 p (1 - p)) + z_{power} sqrt(p1 q1 + p2 q2))^2 / uplift^2,

    p1 = baseline, p2 = baseline + uplift, p = (p1 + p2) / 2; n rounded up."""
    p1, p2 = baseline_rate, baseline_rate + uplift
    if not (0 < p1 < 1 and 0 < p2 < 1) or uplift == 0:
        raise ValueError("baseline and baseline + uplift must lie strictly between 0 and 1")
    z_alpha = norm.ppf(1 - alpha / 2)
    z_power = norm.ppf(power)
    pooled = (p1 + p2) / 2
    root = (z_alpha * math.sqrt(2 * pooled * (1 - pooled))
            + z_power * math.sqrt(p1 * (1 - p1) + p2 * (1 - p2)))
    exact = root ** 2 / uplift ** 2
    return {"baseline_rate": p1, "target_rate": p2, "min_uplift": uplift, "alpha": alpha,
            "power": power, "z_alpha": float(z_alpha), "z_power": float(z_power),
            "customers_per_arm": int(math.ceil(exact - 1e-9)),
            "customers_per_arm_exact": float(exact)}
