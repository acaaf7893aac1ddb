"""Measure pymc-marketing against lifetimes on the CDNOW sample (docs/clv_probabilistic.md).

Not part of the project's environment: run it in a throwaway venv, e.g.

    python3.11 -m venv /tmp/pymc && /tmp/pymc/bin/pip install uv
    /tmp/pymc/bin/uv pip install --python /tmp/pymc/bin/python "pymc-marketing==0.19.*"
    SHARED_DATA_DIR=../shared/data /tmp/pymc/bin/python bench/clv_pymc_marketing.py

MAP fits of BG/NBD and Pareto/NBD on the published 39-week summary of the sample (2,357
customers), with the library's default priors and with flat priors (MAP = maximum likelihood),
each twice in one process (the first pays PyTensor's compile). Published estimates: BG/NBD
r 0.243, alpha 4.414, a 0.793, b 2.426; Pareto/NBD r 0.553, alpha 10.578, s 0.606,
beta 11.669 (Fader, Hardie & Lee 2005).
"""

import os
import time
import warnings
from pathlib import Path

import pandas as pd
import pymc_marketing
from pymc_extras.prior import Prior
from pymc_marketing.clv import BetaGeoModel, ParetoNBDModel

warnings.filterwarnings("ignore")
SHARED_DATA_DIR = Path(os.environ.get("SHARED_DATA_DIR",
                                      Path(__file__).parents[2] / "shared" / "data"))
FLAT = Prior("HalfFlat")
CASES = [
    ("BG/NBD, default priors", BetaGeoModel, None),
    ("BG/NBD, flat priors", BetaGeoModel, dict.fromkeys(["r", "alpha", "a", "b"], FLAT)),
    ("Pareto/NBD, default priors", ParetoNBDModel, None),
    ("Pareto/NBD, flat priors", ParetoNBDModel, dict.fromkeys(["r", "alpha", "s", "beta"], FLAT)),
]
PARAMETERS = {BetaGeoModel: ["r", "alpha", "a", "b"], ParetoNBDModel: ["r", "alpha", "s", "beta"]}


def main():
    """Fit each case on the CDNOW sample twice and print its estimates and fit times."""
    summary = pd.read_csv(SHARED_DATA_DIR / "cdnow" / "cdnow_customers_summary.csv.gz")
    summary = summary.rename(columns={"ID": "customer_id"})
    print(f"pymc-marketing {pymc_marketing.__version__}, {len(summary)} customers")
    for name, model_class, config in CASES:
        seconds = []
        for _ in range(2):
            started = time.perf_counter()
            model = model_class(data=summary, model_config=config)
            model.fit(method="map", progressbar=False)
            seconds.append(time.perf_counter() - started)
        estimates = model.fit_summary()
        print(f"{name}: " + ", ".join(f"{p} = {estimates[p]:.3f}"
                                      for p in PARAMETERS[model_class])
              + f"; build + fit {seconds[0]:.1f} s, again {seconds[1]:.1f} s")


if __name__ == "__main__":
    main()
