"""Benchmark: build the warehouse of demo shops at growing scale (and Online Retail).

    python -m ecommerce_warehouse.bench [--scales 10000 100000 1000000] [--work-dir DIR]

For each scale (customers of a generated demo shop; shops are generated once into the work
folder and reused): a full `dbt build` into a fresh warehouse file (the nightly build), then
the next day appended (`demo_shop.next_day`) and the daily refresh of the same file
(`dbt build --selector daily_refresh`: incremental validation and facts, SQL marts, no model
retraining; see selectors.yml); the raw files are restored afterwards, so a shop always measures the
same data. For each build: wall time, peak resident memory of the dbt process (DuckDB and the Python
models run in it), and each model's and test's time from dbt's target/run_results.json. Online
Retail from $SHARED_DATA_DIR is built too when present. Each shop's floor (`bench_floor`: the
monthly KPIs, cohort retention and RFM quintiles computed by one plain DuckDB script from the same
raw files) is timed after its full build, checked against the build's marts, and every build is
reported as a multiple of it. Results are merged by name into bench/results.json (a run re-measures
only the scales it is given) and rendered as bench/RESULTS.md.

The benchmark is not a test: time on a shared machine varies; `make test` only checks that
this script runs on a tiny shop.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

from . import dbt_build
from .demo_shop import generate
from .demo_shop.next_day import append_next_day
from .paths import REPO_ROOT, shared_data_dir

APPENDED_TABLES = ("order_lines", "shipments")     # the files append_next_day writes to
DAILY_REFRESH = "daily_refresh"                    # the selector of selectors.yml
ONLINE_RETAIL = "online_retail"                    # under $SHARED_DATA_DIR


def run_build(raw_dir: Path, build_dir: Path, target: Path, extra_vars: str | None = None,
              select: list[str] | None = None, selector: str | None = None) -> dict:
    """One `dbt build` into build_dir/warehouse.duckdb (of the `select`ed nodes, or of a named
    `selector`) in a subprocess: wall seconds, peak RSS, per-node seconds."""
    env = dbt_build.dbt_env(raw_dir, build_dir, target)
    args = (["build", "--selector", selector] if selector and not select
            else dbt_build.build_args(select))
    command = dbt_build.dbt_command(args, extra_vars)
    with open(target.parent / f"{target.name}.log", "w") as log:
        started = time.perf_counter()
        process = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)
        # wait4 gives this child's own resource usage: ru_maxrss is its peak RSS in KiB (Linux).
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError(f"dbt build failed on {raw_dir} (log: {log.name})")
    results = json.loads((target / "run_results.json").read_text())["results"]
    nodes = {r["unique_id"]: round(r["execution_time"], 3) for r in results}
    models = {k.split(".")[-1]: v for k, v in nodes.items() if k.startswith("model.")}
    return {
        "wall_seconds": round(wall, 2),
        "peak_memory_mb": round(usage.ru_maxrss / 1024, 1),
        "model_seconds": dict(sorted(models.items(), key=lambda kv: -kv[1])),
        "models_total_seconds": round(sum(models.values()), 2),
        "tests_total_seconds": round(sum(v for k, v in nodes.items()
                                         if not k.startswith(("model.", "seed."))), 2),
    }


def run_floor(raw_dir: Path, source: str, warehouse: Path) -> dict:
    """The plain-DuckDB floor of one raw folder, in a subprocess of its own.

    Parameters
    ----------
    raw_dir : Path
        The raw folder the build read.
    source : str
        ``demo`` or ``online_retail``.
    warehouse : Path
        The full build of the same files, whose marts the floor's figures are compared with.

    Returns
    -------
    dict
        ``seconds`` (timed inside the process), ``peak_memory_mb`` (of the process), the rows
        of each floor table and the rows that ``differences`` from the marts (0 = same).
    """
    command = [sys.executable, "-m", "ecommerce_warehouse.bench_floor", str(raw_dir),
               "--source", source, "--warehouse", str(warehouse)]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    assert process.stdout is not None   # stdout=PIPE
    output = process.stdout.read()
    _, status, usage = os.wait4(process.pid, 0)
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError(f"the floor failed on {raw_dir}")
    return {**json.loads(output), "peak_memory_mb": round(usage.ru_maxrss / 1024, 1)}


def to_floor(build: dict, floor: dict) -> float:
    """A build's wall time as a multiple of the floor's seconds."""
    return round(build["wall_seconds"] / floor["seconds"], 1)


def bench_demo(customers: int, work: Path, seed: int, select: list[str] | None,
               record) -> dict:
    """Full build, then the next day's daily refresh (of the `select`ed nodes when given);
    `record(run)` saves the run so far after each build (a large scale's full build is kept
    even if its refresh is cut)."""
    shop = work / f"shop_{customers}"
    if not (shop / "_truth" / "manifest.json").exists():
        started = time.perf_counter()
        generate(shop, customers=customers, seed=seed, progress=False)
        print(f"generated {shop} in {time.perf_counter() - started:.1f}s", flush=True)
    manifest = json.loads((shop / "_truth" / "manifest.json").read_text())
    build_dir = work / f"build_{customers}"
    shutil.rmtree(build_dir, ignore_errors=True)
    build_dir.mkdir(parents=True)
    warehouse = build_dir / "warehouse.duckdb"

    full = run_build(shop, build_dir, build_dir / "full", select=select)
    print(f"{customers:>9,} customers: full build {full['wall_seconds']}s, "
          f"{full['peak_memory_mb']} MB", flush=True)
    floor = run_floor(shop, "demo", warehouse)
    print(f"{customers:>9,} customers: floor {floor['seconds']}s, "
          f"differences from the marts {floor['differences']}", flush=True)
    run = {"source": "demo", "customers": customers,
           "raw_rows": {k.split(".")[0]: v for k, v in manifest["row_counts"].items()},
           "full": full, "floor": floor, "full_to_floor": to_floor(full, floor)}
    record(run)
    backups = {t: shop / f"{t}.{manifest['arguments']['format']}" for t in APPENDED_TABLES}
    for path in backups.values():
        shutil.copy2(path, path.with_name(path.name + ".bench-backup"))
    try:
        day = append_next_day(shop)
        incremental = run_build(shop, build_dir, build_dir / "incremental", select=select,
                                selector=DAILY_REFRESH)
    finally:
        for path in backups.values():
            shutil.move(path.with_name(path.name + ".bench-backup"), path)
        (shop / "_truth" / "next_days.json").unlink(missing_ok=True)
    print(f"{customers:>9,} customers: daily refresh {incremental['wall_seconds']}s",
          flush=True)
    facts = ("fct_order_lines", "fct_orders")
    run.update({
        "next_day": {k: (len(v) if isinstance(v, list) else v) for k, v in day.items()},
        "incremental": incremental,
        "incremental_to_floor": to_floor(incremental, floor),
        "incremental_to_full_wall": round(incremental["wall_seconds"] / full["wall_seconds"], 3),
        "incremental_to_full_order_facts": round(
            sum(incremental["model_seconds"][f] for f in facts)
            / sum(full["model_seconds"][f] for f in facts), 3),
    })
    record(run)
    return run


def bench_online_retail(work: Path) -> dict | None:
    """The bench record of a full build of Online Retail from SHARED_DATA_DIR and of its floor; None
    if the data is not there."""
    raw = shared_data_dir() / ONLINE_RETAIL
    if not raw.is_dir():
        print(f"Online Retail skipped: {raw} not found (set SHARED_DATA_DIR)", flush=True)
        return None
    build_dir = work / "build_online_retail"
    shutil.rmtree(build_dir, ignore_errors=True)
    build_dir.mkdir(parents=True)
    full = run_build(raw, build_dir, build_dir / "full",
                     extra_vars="{source_system: online_retail}")
    floor = run_floor(raw, ONLINE_RETAIL, build_dir / "warehouse.duckdb")
    print(f"online_retail: full build {full['wall_seconds']}s, floor {floor['seconds']}s, "
          f"differences from the marts {floor['differences']}", flush=True)
    return {"source": "online_retail", "raw_dir": str(raw), "full": full, "floor": floor,
            "full_to_floor": to_floor(full, floor)}


def render_markdown(results: dict) -> str:
    """The results as a readable report: one table per question."""
    runs = results["runs"]
    demo = sorted((r for r in runs.values() if r["source"] == "demo"),
                  key=lambda r: r["customers"])
    out = ["# Benchmark results", "",
           "Written by `make bench` (`python -m ecommerce_warehouse.bench`); raw numbers in "
           "`results.json`.", "",
           f"Machine: {results['machine']}. Settings of each run: `results.json`.", "",
           "## Full build (`dbt build`: every model and test) and the next day's daily refresh",
           "",
           "The daily refresh is `dbt build --selector daily_refresh` after one day was "
           "appended: validation and order facts incremental, SQL marts rebuilt, Python models "
           "not retrained (selectors.yml).", "",
           "| shop | order lines (raw) | full build s | peak memory MB | models s | tests s "
           "| daily refresh s | refresh / full | order facts refresh / full |",
           "|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in demo:
        f = r["full"]
        incremental = ("| {:,.1f} | {:.2f} | {:.2f} |".format(
            r["incremental"]["wall_seconds"], r["incremental_to_full_wall"],
            r["incremental_to_full_order_facts"]) if "incremental" in r else "| not run | | |")
        out.append(f"| demo {r['customers']:,} customers | {r['raw_rows']['order_lines']:,} "
                   f"| {f['wall_seconds']:,.1f} | {f['peak_memory_mb']:,.0f} "
                   f"| {f['models_total_seconds']:,.1f} | {f['tests_total_seconds']:,.1f} "
                   + incremental)
    for r in runs.values():
        if r["source"] == "online_retail":
            f = r["full"]
            out.append(f"| Online Retail | | {f['wall_seconds']:,.1f} "
                       f"| {f['peak_memory_mb']:,.0f} | {f['models_total_seconds']:,.1f} "
                       f"| {f['tests_total_seconds']:,.1f} | | | |")
    floored = [r for r in demo + [r for r in runs.values() if r["source"] == "online_retail"]
               if "floor" in r]
    if floored:
        out += ["", "## Against the plain-DuckDB floor", "",
                "The floor (`python -m ecommerce_warehouse.bench_floor`) computes the monthly "
                "KPIs, cohort retention and RFM quintiles from the same raw files in one plain "
                "DuckDB script; ratio = build wall s / floor s. \"differing rows\" compares "
                "its figures with the full build's `kpi_monthly`, `cohort_retention` and "
                "`customer_rfm` (0 = the same figures; see README.md).", "",
                "| shop | build | build wall s | floor s | ratio | floor peak memory MB "
                "| differing rows (kpi / cohort / rfm) |", "|---|---|---:|---:|---:|---:|---|"]
        for r in floored:
            name = (f"demo {r['customers']:,} customers" if r["source"] == "demo"
                    else "Online Retail")
            differing = " / ".join("-" if v is None else str(v)
                                   for v in r["floor"].get("differences", {}).values())
            for build in ("full", "incremental"):
                if build in r:
                    out.append(f"| {name} | {'daily refresh' if build == 'incremental' else build} "
                               f"| {r[build]['wall_seconds']:,.1f} | {r['floor']['seconds']:,.2f} "
                               f"| {r[build]['wall_seconds'] / r['floor']['seconds']:,.0f} "
                               f"| {r['floor']['peak_memory_mb']:,.0f} | {differing} |")
    if len(demo) > 1:
        out += ["", "## Growth (full build, 10x the customers each step: linear = within 12x)",
                "", "| from | to | data x | wall time x | models time x |",
                "|---|---|---:|---:|---:|"]
        for a, b in zip(demo, demo[1:], strict=False):  # each scale and the next
            models_x = b['full']['models_total_seconds'] / a['full']['models_total_seconds']
            out.append(f"| {a['customers']:,} | {b['customers']:,} "
                       f"| {b['raw_rows']['order_lines'] / a['raw_rows']['order_lines']:.1f} "
                       f"| {b['full']['wall_seconds'] / a['full']['wall_seconds']:.1f} "
                       f"| {models_x:.1f} |")
    if demo:
        largest = demo[-1]
        out += ["", f"## Slowest models, full build of {largest['customers']:,} customers", "",
                "| model | seconds | share of model time |", "|---|---:|---:|"]
        total = largest["full"]["models_total_seconds"]
        for name, seconds in list(largest["full"]["model_seconds"].items())[:15]:
            out.append(f"| {name} | {seconds:,.1f} | {seconds / total:.0%} |")
        refreshed = [r for r in demo if "incremental" in r]
        if refreshed:
            r = refreshed[-1]
            out += ["", f"## Slowest models, daily refresh of {r['customers']:,} customers", "",
                    "| model | seconds | seconds in the full build |", "|---|---:|---:|"]
            for name, seconds in list(r["incremental"]["model_seconds"].items())[:15]:
                out.append(f"| {name} | {seconds:,.1f} "
                           f"| {r['full']['model_seconds'].get(name, 0):,.1f} |")
    return "\n".join(out) + "\n"


def main(argv=None):
    """Benchmark the given scales (and Online Retail) and merge the results into results.json and
    RESULTS.md."""
    p = argparse.ArgumentParser(prog="python -m ecommerce_warehouse.bench", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--scales", type=int, nargs="*", default=[10_000, 100_000, 1_000_000],
                   help="customers of each demo shop (default: 10000 100000 1000000)")
    p.add_argument("--work-dir", type=Path, default=REPO_ROOT / "bench" / "work",
                   help="generated shops and warehouses (default: bench/work, git-ignored)")
    p.add_argument("--out-dir", type=Path, default=REPO_ROOT / "bench",
                   help="where results.json and RESULTS.md go (default: bench/)")
    p.add_argument("--seed", type=int, default=42)
    p.add_argument("--no-online-retail", action="store_true", help="skip Online Retail")
    p.add_argument("--select", nargs="*", help="build only these dbt nodes (default: all)")
    a = p.parse_args(argv)

    a.work_dir.mkdir(parents=True, exist_ok=True)
    a.out_dir.mkdir(parents=True, exist_ok=True)
    path = a.out_dir / "results.json"
    settings = ", ".join(
        f"{name}={os.environ.get(name, default)}" for name, default in
        (("DUCKDB_MEMORY_LIMIT", "4GB"), ("DUCKDB_THREADS", "2"), ("DBT_THREADS", "2")))

    def record(name, run):
        run["measured_at"] = datetime.now(UTC).isoformat(timespec="seconds")
        run["settings"] = settings
        run["select"] = a.select or "everything"
        # Read again just before writing: another bench run may have added its scales.
        results = json.loads(path.read_text()) if path.exists() else {"runs": {}}
        results["machine"] = (f"{platform.machine()}, {os.cpu_count()} CPUs, "
                              f"Python {platform.python_version()}")
        results["runs"][name] = run
        path.write_text(json.dumps(results, indent=2) + "\n")
        (a.out_dir / "RESULTS.md").write_text(render_markdown(results))

    for n in a.scales:
        bench_demo(n, a.work_dir, a.seed, a.select, lambda run, n=n: record(f"demo_{n}", run))
    if not a.no_online_retail and not a.select:
        run = bench_online_retail(a.work_dir)
        if run is not None:
            record("online_retail", run)
    print(f"wrote {path} and {a.out_dir / 'RESULTS.md'}")


if __name__ == "__main__":
    main()
