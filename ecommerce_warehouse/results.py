"""Results per source: each model's primary metric against its baseline, written into README.md.

    python -m ecommerce_warehouse.results [--readme README.md] [--work-dir DIR]

(`make results`.) For each source whose data is present, builds the warehouse in a temporary
folder (`dbt build --select +model_metrics`, a dbt subprocess: ecommerce_warehouse.dbt_build),
reads model_metrics' primary-metric rows (``is_primary_metric``) and rewrites the section of
README.md between ``<!-- results:start -->`` and ``<!-- results:end -->`` with one table per
source: model, primary metric, model and baseline values, the improvement over the baseline
with its paired-bootstrap 95 % interval and whether the model beats the baseline (the interval
above zero; ecommerce_warehouse.evaluation), with the date and the command. Sources:

* demo: the project's own demo shop, generated into the temporary folder as `make run` does
  (``--customers`` 5,000, ``--seed`` 42);
* Online Retail (UCI), the marketing case study and CDNOW (the master file) from
  ``$SHARED_DATA_DIR`` (default ../shared/data): folders online_retail, marketing_insights,
  cdnow. A source whose files are absent is skipped, and the section says so.

Nothing outside the README section (and the temporary folder) is written; a source whose build
fails is reported as failed in the section, and the command exits non-zero.
"""

from __future__ import annotations

import argparse
import datetime as dt
import math
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from . import dbt_build
from .paths import REPO_ROOT, shared_data_dir

START_MARKER = "<!-- results:start -->"
END_MARKER = "<!-- results:end -->"
COMMAND = "make results"
MODULE_COMMAND = "python -m ecommerce_warehouse.results"
SELECT = ["+model_metrics"]
DEMO_CUSTOMERS = 5000
DEMO_SEED = 42
DIGITS = 4


@dataclass(frozen=True)
class Source:
    """A source of the results: its name, title, dbt vars and where its raw files are."""

    name: str
    title: str
    extra_vars: str | None
    folder: str | None = None   # under SHARED_DATA_DIR; None: the generated demo shop
    required: str | None = None  # a glob in the folder that must match for the data to count


SOURCES = (
    Source("demo", "Demo shop", None),
    Source("online_retail", "Online Retail (UCI)", "{source_system: online_retail}",
           "online_retail", "*.csv*"),
    Source("marketing_insights", "Marketing case study (marketing_insights)",
           "{source_system: marketing_insights}", "marketing_insights", "Online_Sales.*"),
    Source("cdnow", "CDNOW (master file)", "{source_system: cdnow}", "cdnow",
           "CDNOW_master.txt*"),
)


# --- reading -------------------------------------------------------------------------------------

PRIMARY_SQL = """
    select model_name, metric, model_value, baseline_name, baseline_value, improvement,
           improvement_ci_low, improvement_ci_high, beats_baseline, scoring_date
    from marts.model_metrics where is_primary_metric order by model_name
"""
SKIPPED_SQL = """
    select model_name, skip_reason from marts.model_metrics
    where metric = 'skipped' order by model_name
"""


def read_metrics(warehouse: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(primary-metric rows, skipped models with their reasons) of a built warehouse's
    model_metrics."""
    import duckdb

    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return con.sql(PRIMARY_SQL).df(), con.sql(SKIPPED_SQL).df()
    finally:
        con.close()


# --- rendering -----------------------------------------------------------------------------------

def _number(value) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)) or pd.isna(value):
        return "–"
    return f"{float(value):.{DIGITS}f}"


def _yes_no(value) -> str:
    if value is None or pd.isna(value):
        return "–"
    return "yes" if bool(value) else "no"


def render_table(primary: pd.DataFrame) -> str:
    """One markdown table of model_metrics' primary-metric rows: model, primary metric, model
    value, baseline value, improvement with its 95 % interval, beats baseline (yes / no)."""
    lines = ["| model | primary metric | model value | baseline value "
             "| improvement (95 % CI) | beats baseline |",
             "|---|---|---:|---:|---|---|"]
    for row in primary.itertuples(index=False):
        interval = (f"{_number(row.improvement)} "
                    f"({_number(row.improvement_ci_low)} to {_number(row.improvement_ci_high)})")
        if pd.isna(row.improvement):  # type: ignore[arg-type]  # stubs: itertuples field type
            interval = "–"
        lines.append(f"| {row.model_name} | {row.metric} | {_number(row.model_value)} "
                     f"| {_number(row.baseline_value)} | {interval} "
                     f"| {_yes_no(row.beats_baseline)} |")
    return "\n".join(lines)


@dataclass
class SourceResult:
    """What one source gave: its tables, or why it has none."""

    source: Source
    description: str                    # e.g. "5,000 customers, seed 42" or the raw folder
    primary: pd.DataFrame | None = None
    skipped_models: pd.DataFrame | None = None
    absent: str | None = None           # the data are absent: why
    failed: str | None = None           # the build failed: the error's first line
    seconds: float | None = None


def render_source(result: SourceResult) -> str:
    """A source's part of the section: heading, then its table (or why there is none)."""
    out = [f"### {result.source.title}", ""]
    if result.absent:
        return "\n".join([*out, f"Skipped: {result.absent}.", ""])
    if result.failed:
        return "\n".join([*out, f"Build failed: {result.failed}", ""])
    primary = result.primary
    assert primary is not None      # neither absent nor failed: run_source read the metrics
    dates = sorted({str(d)[:10] for d in primary["scoring_date"].dropna()}) \
        if "scoring_date" in primary else []
    about = [result.description]
    if dates:
        about.append(f"as of {dates[0]}")  # the forecast is dated from the day after
    if result.seconds is not None:
        about.append(f"built in {result.seconds:.0f} s")
    out += [f"{'; '.join(about)}.", ""]
    out.append(render_table(primary) if len(primary) else "No model has a primary metric.")
    skipped = result.skipped_models
    if skipped is not None and len(skipped):
        reasons = "; ".join(f"{row.model_name} ({row.skip_reason})"
                            for row in skipped.itertuples(index=False))
        out += ["", f"Not fitted: {reasons}."]
    return "\n".join([*out, ""])


def render_section(results: list[SourceResult], date: dt.date) -> str:
    """The README section between the markers: date, command, how to read it, the tables."""
    head = [
        f"Written by `{COMMAND}` (`{MODULE_COMMAND}`) on {date.isoformat()}, not typed: each "
        "source's warehouse is built afresh and these are the rows of `model_metrics` where "
        "`is_primary_metric`. *improvement* is how much better the model is than its baseline "
        "on that metric (model − baseline where higher is better, baseline − model for errors "
        "such as MAE and MAPE), with its paired-bootstrap 95 % interval; the model *beats the "
        "baseline* when the whole interval is above zero.",
        "",
    ]
    return "\n".join(head + [render_source(result) for result in results]).rstrip("\n") + "\n"


def replace_section(text: str, section: str) -> str:
    """Text with what lies between the results markers replaced by section (the markers and
    everything outside them kept as they are); ValueError without exactly one pair in order."""
    if text.count(START_MARKER) != 1 or text.count(END_MARKER) != 1:
        raise ValueError(f"expected one {START_MARKER} and one {END_MARKER}")
    start = text.index(START_MARKER) + len(START_MARKER)
    end = text.index(END_MARKER)
    if end < start:
        raise ValueError(f"{END_MARKER} comes before {START_MARKER}")
    return text[:start] + "\n" + section.rstrip("\n") + "\n" + text[end:]


def rewrite_readme(readme: Path, section: str) -> None:
    """Replace the results section of the README file (only that section)."""
    readme.write_text(replace_section(readme.read_text(), section))


# --- building ------------------------------------------------------------------------------------

def raw_folder(source: Source, work: Path, customers: int, seed: int) -> tuple[Path | None, str]:
    """(raw folder or None when the data are absent, a description of the data or why
    absent); the demo shop is generated into work/demo_raw."""
    if source.folder is None:
        from .demo_shop import generate

        raw = work / "demo_raw"
        generate(raw, customers=customers, seed=seed, progress=False)
        return raw, f"{customers:,} customers, seed {seed}"
    raw = shared_data_dir() / source.folder
    if not raw.is_dir() or not any(raw.glob(source.required or "*")):
        return None, (f"no {source.required or 'files'} in {raw} (set SHARED_DATA_DIR to the "
                      f"folder holding {source.folder}/)")
    return raw, f"raw files $SHARED_DATA_DIR/{source.folder}"


def run_source(source: Source, work: Path, target: Path, customers: int,
               seed: int) -> SourceResult:
    """Build one source's warehouse under work/<name> and read its metrics."""
    raw, description = raw_folder(source, work, customers, seed)
    if raw is None:
        return SourceResult(source, description, absent=description)
    build_dir = work / source.name
    build_dir.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    try:
        warehouse = dbt_build.build_warehouse(raw, build_dir, source.extra_vars, select=SELECT,
                                              target_dir=target, timeout=3600)
    except (dbt_build.DbtBuildFailed, OSError, subprocess.SubprocessError) as failed:
        print(str(failed)[-4000:], flush=True)  # dbt's output, where the error is
        return SourceResult(source, description,
                            failed=f"`dbt build` returned an error ({type(failed).__name__}; "
                                   f"its output is printed by `{COMMAND}`).")
    seconds = time.perf_counter() - started
    primary, skipped = read_metrics(warehouse)
    return SourceResult(source, description, primary, skipped, seconds=seconds)


def main(argv=None) -> int:
    """Build each present source, print progress, rewrite the README section."""
    parser = argparse.ArgumentParser(prog=MODULE_COMMAND, description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--readme", type=Path, default=REPO_ROOT / "README.md")
    parser.add_argument("--work-dir", type=Path,
                        help="build here and keep it (default: a temporary folder, removed)")
    parser.add_argument("--customers", type=int, default=DEMO_CUSTOMERS,
                        help=f"demo shop customers (default {DEMO_CUSTOMERS:,})")
    parser.add_argument("--seed", type=int, default=DEMO_SEED,
                        help=f"demo shop seed (default {DEMO_SEED})")
    args = parser.parse_args(argv)
    replace_section(args.readme.read_text(), "")  # markers missing: fail before building

    with tempfile.TemporaryDirectory(prefix="results-") as temporary:
        work = args.work_dir or Path(temporary)
        work.mkdir(parents=True, exist_ok=True)
        target = work / "target"  # shared by the builds: dbt parses the project once
        results = []
        for number, source in enumerate(SOURCES, start=1):
            print(f"==> [{number}/{len(SOURCES)}] {source.title}: building ...", flush=True)
            started = time.perf_counter()
            result = run_source(source, work, target, args.customers, args.seed)
            results.append(result)
            took = time.perf_counter() - started
            if result.absent:
                print(f"    skipped: {result.absent}", flush=True)
            elif result.failed:
                print(f"    FAILED after {took:.0f} s: {result.failed}", flush=True)
            else:
                primary = result.primary
                assert primary is not None  # neither absent nor failed: the metrics were read
                print(f"    done in {took:.0f} s: {len(primary)} primary metrics, "
                      f"{int(primary['beats_baseline'].fillna(False).sum())} "
                      "beat their baseline", flush=True)
    rewrite_readme(args.readme, render_section(results, dt.datetime.now(dt.UTC).date()))
    print(f"wrote the results section of {args.readme}", flush=True)
    return 1 if any(result.failed for result in results) else 0


if __name__ == "__main__":
    sys.exit(main())
