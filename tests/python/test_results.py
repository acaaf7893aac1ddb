"""The results table per source (ecommerce_warehouse/results.py): rendering of hand-made
model_metrics rows, and the README rewrite that replaces only the marked section."""

import datetime as dt

import pandas as pd
import pytest

from ecommerce_warehouse import results

START, END = results.START_MARKER, results.END_MARKER


def primary_rows():
    # two models by hand: churn (ROC AUC, higher is better) beats its baseline, bgnbd (MAE,
    # lower is better: improvement = baseline - model) does not; a third with no improvement
    return pd.DataFrame({
        "model_name": ["bgnbd", "churn", "clv"],
        "metric": ["mae_purchases", "roc_auc", "macro_f1"],
        "model_value": [0.92981, 0.74426, 0.5],
        "baseline_value": [0.90292, 0.65519, float("nan")],
        "improvement": [-0.02689, 0.08907, float("nan")],
        "improvement_ci_low": [-0.04587, 0.06114, float("nan")],
        "improvement_ci_high": [-0.00703, 0.11552, float("nan")],
        "beats_baseline": pd.array([False, True, pd.NA], dtype="boolean"),
        "scoring_date": [dt.date(2011, 12, 10)] * 3,
    })


def test_table_of_hand_made_rows():
    assert results.render_table(primary_rows()).splitlines() == [
        "| model | primary metric | model value | baseline value | improvement (95 % CI) "
        "| beats baseline |",
        "|---|---|---:|---:|---|---|",
        "| bgnbd | mae_purchases | 0.9298 | 0.9029 | -0.0269 (-0.0459 to -0.0070) | no |",
        "| churn | roc_auc | 0.7443 | 0.6552 | 0.0891 (0.0611 to 0.1155) | yes |",
        "| clv | macro_f1 | 0.5000 | – | – | – |",
    ]


def source_results():
    demo, retail, cdnow = results.SOURCES[0], results.SOURCES[1], results.SOURCES[3]
    skipped = pd.DataFrame({"model_name": ["paretonbd"], "skip_reason": ["did not converge"]})
    return [
        results.SourceResult(demo, "5,000 customers, seed 42", primary_rows(), skipped,
                             seconds=61.4),
        results.SourceResult(retail, "raw files /data/online_retail", primary_rows().iloc[:0],
                             skipped.iloc[:0], seconds=3.0),
        results.SourceResult(cdnow, "", absent="no CDNOW_master.txt* in /data/cdnow"),
    ]


def test_section_per_source_with_date_command_and_skips():
    section = results.render_section(source_results(), dt.date(2026, 12, 7))
    assert section.startswith("Written by `make results` (`python -m "
                              "ecommerce_warehouse.results`) on 2026-12-07, not typed")
    lines = section.splitlines()
    demo = lines.index("### Demo shop")
    assert lines[demo + 2] == "5,000 customers, seed 42; as of 2011-12-10; built in 61 s."
    assert lines[demo + 4:demo + 9] == results.render_table(primary_rows()).splitlines()
    assert lines[demo + 10] == "Not fitted: paretonbd (did not converge)."
    retail = lines.index("### Online Retail (UCI)")
    assert lines[retail + 2:retail + 5] == [
        "raw files /data/online_retail; built in 3 s.", "", "No model has a primary metric."]
    cdnow = lines.index("### CDNOW (master file)")
    assert lines[cdnow + 2] == "Skipped: no CDNOW_master.txt* in /data/cdnow."
    assert section.endswith("Skipped: no CDNOW_master.txt* in /data/cdnow.\n")


def test_readme_rewrite_replaces_only_the_marked_section(tmp_path):
    before = "# Title\n\nintro\n\n" + START + "\nold table\n| a |\n" + END + "\n\n## After\ntext\n"
    readme = tmp_path / "README.md"
    readme.write_text(before)
    results.rewrite_readme(readme, "new table\n")
    assert readme.read_text() == ("# Title\n\nintro\n\n" + START + "\nnew table\n" + END
                                  + "\n\n## After\ntext\n")
    # rewriting again with the same section changes nothing
    results.rewrite_readme(readme, "new table\n")
    assert readme.read_text().count("new table") == 1


@pytest.mark.parametrize("text", ["no markers", f"{START} one start only",
                                  f"{END} before {START}", f"{START}{START}{END}"])
def test_readme_without_one_ordered_pair_of_markers_is_refused(text):
    with pytest.raises(ValueError):
        results.replace_section(text, "x")


def test_absent_shared_data_is_skipped_with_the_reason(tmp_path, monkeypatch):
    monkeypatch.setenv("SHARED_DATA_DIR", str(tmp_path))
    (tmp_path / "cdnow").mkdir()
    (tmp_path / "cdnow" / "SOURCE.md").write_text("no data here")
    for source in results.SOURCES[1:]:
        result = results.run_source(source, tmp_path / "work", tmp_path / "target", 10, 1)
        assert result.primary is None and str(tmp_path / source.folder) in result.absent
