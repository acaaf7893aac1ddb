"""The paired bootstrap of a model's improvement over its baseline (ecommerce_warehouse.evaluation),
on cases whose answer is worked out by hand."""

import numpy as np
import pytest

from ecommerce_warehouse.evaluation import macro_f1, paired_bootstrap, roc_auc


def accuracy(truth, predicted):
    return float(np.mean(truth == predicted))


def mae(truth, predicted):
    return float(np.mean(np.abs(truth - predicted)))


def test_always_right_against_always_wrong_is_one_with_no_spread():
    truth = np.array([1, 0, 1, 1, 0])
    result = paired_bootstrap(accuracy, truth, truth, 1 - truth)
    assert (result.improvement, result.ci_low, result.ci_high) == (1.0, 1.0, 1.0)
    assert result.beats_baseline


def test_a_model_equal_to_its_baseline_does_not_beat_it():
    truth = np.array([1, 0, 1, 1, 0, 0])
    predicted = np.array([1, 1, 0, 1, 0, 1])
    result = paired_bootstrap(accuracy, truth, predicted, predicted.copy())
    assert (result.improvement, result.ci_low, result.ci_high) == (0.0, 0.0, 0.0)
    assert not result.beats_baseline


def test_lower_is_better_turns_the_difference_round():
    # MAE 1 against 3 on every row: the model is 2 better, whatever the resample
    truth = np.zeros(4)
    result = paired_bootstrap(mae, truth, np.ones(4), np.full(4, 3.0), higher_is_better=False)
    assert (result.improvement, result.ci_low, result.ci_high) == (2.0, 2.0, 2.0)


def test_interval_matches_the_normal_approximation():
    # 100 rows: both right on 50, only the model on 10, both wrong on 40. The improvement is the
    # mean of 10 ones and 90 zeros, 0.10, with standard error sqrt(0.1 * 0.9 / 100) = 0.03: the
    # 95 % interval is about 0.10 -/+ 1.96 * 0.03 = [0.041, 0.159].
    truth = np.ones(100)
    model = np.r_[np.ones(60), np.zeros(40)]
    baseline = np.r_[np.ones(50), np.zeros(50)]
    result = paired_bootstrap(accuracy, truth, model, baseline, resamples=4000)
    assert result.improvement == pytest.approx(0.10)
    assert result.ci_low == pytest.approx(0.041, abs=0.012)
    assert result.ci_high == pytest.approx(0.159, abs=0.012)
    assert result.beats_baseline


def test_rows_that_do_not_align_are_refused():
    with pytest.raises(ValueError, match="differ in length: 3, 2, 3"):
        paired_bootstrap(accuracy, np.ones(3), np.ones(2), np.ones(3))


# --- the fast metrics the bootstrap calls -----------------------------------------------------

def test_macro_f1_worked_by_hand():
    # a: TP 1, predicted 2, true 1 -> 2/3; b: TP 1, predicted 1, true 2 -> 2/3; c: true 1,
    # predicted 1, never right -> 0. Mean 4/9.
    truth = np.array(["a", "b", "b", "c"], dtype=object)
    predicted = np.array(["a", "b", "a", "x"], dtype=object)
    # x is predicted but never true: F1 0, counted like scikit-learn does
    assert macro_f1(truth, predicted) == pytest.approx((2 / 3 + 2 / 3 + 0 + 0) / 4)


def test_roc_auc_worked_by_hand_with_a_tie():
    # positives 0.8, 0.4; negatives 0.4, 0.1: pairs (0.8>0.4, 0.8>0.1, 0.4=0.4, 0.4>0.1) -> 3.5/4
    assert roc_auc([1, 1, 0, 0], [0.8, 0.4, 0.4, 0.1]) == pytest.approx(0.875)
    assert np.isnan(roc_auc([1, 1, 1], [0.2, 0.3, 0.4]))


@pytest.mark.parametrize("seed", range(5))
def test_fast_metrics_equal_scikit_learns(seed):
    from sklearn.metrics import f1_score, roc_auc_score

    rng = np.random.default_rng(seed)
    classes = np.array(["low", "medium", "high", "none"], dtype=object)
    truth = classes[rng.integers(0, 3, 500)]
    predicted = classes[rng.integers(0, 4, 500)]
    assert macro_f1(truth, predicted) == pytest.approx(
        f1_score(truth, predicted, average="macro", zero_division=0), abs=1e-12)
    binary = rng.integers(0, 2, 500)
    score = np.round(rng.random(500), 1)  # many ties
    assert roc_auc(binary, score) == pytest.approx(roc_auc_score(binary, score), abs=1e-12)
