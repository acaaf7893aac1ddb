"""The summary says in words whether each model beats its baseline."""

from ecommerce_warehouse.summary import model_verdicts


def test_a_model_whose_interval_reaches_zero_is_said_not_to_beat_its_baseline():
    lines = model_verdicts([
        ("churn", "roc_auc", 0.744, "same as last period", 0.655, 0.089, 0.061, 0.117, True),
        ("clv", "macro_f1", 0.525, "same as last period", 0.552, -0.027, -0.060, 0.004, False),
    ])
    assert lines[0] == ("  churn          roc_auc 0.744 vs 0.655 (same as last period), "
                        "improvement +0.089 [95 % CI +0.061 .. +0.117]: beats its baseline")
    assert "clv" in lines[1] and "improvement -0.027 [95 % CI -0.060 .. +0.004]" in lines[1]
    assert lines[1].endswith("does NOT beat its baseline: its predictions are written, but "
                             "prefer the baseline on this shop")
