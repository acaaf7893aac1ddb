"""`make bench` on a tiny shop (the benchmark itself is not a test: it only has to run)."""

import hashlib
import json

import pytest

from ecommerce_warehouse import bench
from ecommerce_warehouse.demo_shop import generate

pytestmark = pytest.mark.dbt


def digest(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_bench_runs_on_a_tiny_shop(tmp_path):
    work, out = tmp_path / "work", tmp_path / "out"
    shop = work / "shop_60"      # generated here to fingerprint its raw file before the bench
    generate(shop, customers=60, seed=42, progress=False)
    raw_lines = digest(shop / "order_lines.csv")
    # Only the order facts and what they need, to keep the test short.
    bench.main(["--scales", "60", "--work-dir", str(work), "--out-dir", str(out),
                "--select", "+fct_orders"])

    run = json.loads((out / "results.json").read_text())["runs"]["demo_60"]
    for build in ("full", "incremental"):
        assert run[build]["wall_seconds"] > 0
        assert run[build]["peak_memory_mb"] > 50          # a dbt process with DuckDB in it
        assert {"fct_order_lines", "fct_orders", "int_order_lines_validated"} <= set(
            run[build]["model_seconds"])
    assert run["next_day"]["new_orders"] >= 1
    assert run["incremental_to_full_wall"] > 0
    assert "| demo 60 customers |" in (out / "RESULTS.md").read_text()

    # The shop is reused by the next run and measures the same data: the day was taken out.
    assert digest(shop / "order_lines.csv") == raw_lines
    assert not (shop / "_truth" / "next_days.json").exists()
