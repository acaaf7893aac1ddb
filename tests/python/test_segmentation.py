"""The K-Means segmentation functions (ecommerce_warehouse/segmentation.py) on small frames
whose answers are known by construction."""

import math

import numpy as np
import pandas as pd
import pytest

from ecommerce_warehouse import segmentation as seg


def blobs():
    """Three tight, far-apart groups of customers (4, 3 and 2 of them), in raw feature units:
    big spenders buying often and recently; one-time cheap buyers long ago; coupon users."""
    rows = []
    for i in range(4):
        rows.append(dict(customer_id=f"V{i}", recency_days=5 + i, frequency=20 + i,
                         monetary=5000 + 10 * i, average_order_value=250, tenure_days=700,
                         coupon_order_share=0.0, return_rate=0.0))
    for i in range(3):
        rows.append(dict(customer_id=f"O{i}", recency_days=600 + i, frequency=1,
                         monetary=20 + i, average_order_value=20 + i, tenure_days=600 + i,
                         coupon_order_share=0.0, return_rate=0.0))
    for i in range(2):
        rows.append(dict(customer_id=f"B{i}", recency_days=100 + i, frequency=5,
                         monetary=300 + i, average_order_value=60, tenure_days=400,
                         coupon_order_share=1.0, return_rate=0.0))
    return pd.DataFrame(rows)


def test_signed_log1p():
    e1 = math.e - 1
    assert seg.signed_log1p(np.array([0.0, e1, -e1])) == pytest.approx([0.0, 1.0, -1.0])


def test_prepare_features_logs_then_standardises():
    frame = pd.DataFrame({"x": [0.0, math.e - 1], "flat": [3.0, 3.0], "gap": [None, 1.0]})
    matrix = seg.prepare_features(frame, ["x", "flat", "gap"])
    # log1p: x -> [0, 1] -> mean 0.5, sd 0.5 -> [-1, 1]; a constant column -> 0; missing -> 0
    assert matrix[:, 0] == pytest.approx([-1.0, 1.0])
    assert matrix[:, 1] == pytest.approx([0.0, 0.0])
    assert matrix[:, 2] == pytest.approx([-1.0, 1.0])  # [0, log 2] standardised


def test_candidate_ks_need_one_more_distinct_customer_than_k():
    three = np.array([[0.0], [1.0], [2.0], [2.0]])  # 3 distinct points
    assert seg.candidate_ks(three, 2, 8) == [2]
    assert seg.candidate_ks(np.array([[0.0], [1.0]]), 2, 8) == []
    assert seg.candidate_ks(np.zeros((10, 2)), 2, 8) == []
    assert seg.candidate_ks(np.arange(20.0).reshape(-1, 1), 3, 5) == [3, 4, 5]


def test_select_k_finds_three_separated_groups():
    matrix = seg.prepare_features(blobs())
    result = seg.select_k(matrix, 2, 6, seed=1)
    assert list(result["k"]) == [2, 3, 4, 5, 6]
    assert result["is_chosen"].sum() == 1
    assert int(result.loc[result["is_chosen"], "k"].iloc[0]) == 3
    assert result["silhouette_score"].max() > 0.8


def test_select_k_falls_back_to_one_cluster_with_too_few_customers():
    matrix = seg.prepare_features(blobs().head(2))
    result = seg.select_k(matrix, 2, 8)
    assert list(result["k"]) == [1]
    assert bool(result["is_chosen"].iloc[0])
    assert np.isnan(result["silhouette_score"].iloc[0])
    empty = seg.select_k(np.zeros((0, 7)))
    assert list(empty["k"]) == [1] and bool(empty["is_chosen"].iloc[0])


def test_fit_clusters_numbers_clusters_by_value_and_is_deterministic():
    frame = blobs()
    matrix = seg.prepare_features(frame)
    clusters = seg.fit_clusters(matrix, 3, frame["monetary"].to_numpy(), seed=7)
    # big spenders = 1, coupon users (300) = 2, one-time buyers (20) = 3
    assert list(clusters) == [1, 1, 1, 1, 3, 3, 3, 2, 2]
    again = seg.fit_clusters(matrix, 3, frame["monetary"].to_numpy(), seed=7)
    assert list(again) == list(clusters)
    assert list(seg.fit_clusters(matrix, 1, frame["monetary"].to_numpy())) == [1] * 9
    assert len(seg.fit_clusters(np.zeros((0, 7)), 3, np.zeros(0))) == 0


def test_label_clusters_reads_the_profile():
    standardised = pd.DataFrame({
        "monetary": [1.2, 1.0, -1.0, -1.1, 0.1, 0.0, 0.0, 0.0],
        "frequency": [1.0, 1.2, -1.0, -1.0, 0.0, 0.2, 0.0, 0.0],
        "recency_days": [-1.0, -0.8, 1.5, 1.6, 0.0, 0.0, 0.0, 0.0],
        "coupon_order_share": [0.0, 0.0, 0.0, 0.0, 2.0, 2.2, 0.0, 0.0],
        "return_rate": [0.0] * 8,
        "tenure_days": [0.0] * 8,
    })
    clusters = [1, 1, 2, 2, 3, 3, 4, 4]
    labels = seg.label_clusters(standardised, clusters,
                                mean_frequency={1: 12.0, 2: 1.0, 3: 4.0, 4: 3.0})
    assert labels == {
        1: "high-value frequent recent",
        2: "low-value one-time lapsed",
        3: "mid-value coupon-driven",
        4: "mid-value",
    }


def test_label_clusters_keeps_labels_unique_and_names_a_single_cluster():
    standardised = pd.DataFrame({"monetary": [0.0, 0.1, 0.0, -0.1],
                                 "frequency": [0.0, 0.0, 0.1, 0.0]})
    assert seg.label_clusters(standardised, [1, 1, 2, 2]) == {
        1: "mid-value (cluster 1)", 2: "mid-value (cluster 2)"}
    assert seg.label_clusters(standardised, [1, 1, 1, 1]) == {1: "all customers"}


def test_segment_customers_end_to_end_on_blobs():
    result = seg.segment_customers(blobs(), 3, seed=3)
    assert list(result.columns) == ["customer_id", "cluster_id", "cluster_label"]
    by_customer = dict(zip(result["customer_id"], result["cluster_label"], strict=True))
    assert by_customer["V0"].startswith("high-value frequent")
    assert by_customer["O0"].startswith("low-value one-time")
    assert "coupon-driven" in by_customer["B0"]
    assert result.groupby("cluster_id")["cluster_label"].nunique().eq(1).all()



def test_labels_read_recency_although_it_is_not_clustered_on():
    assert "recency_days" not in seg.CLUSTER_FEATURES
    assert set(seg.CLUSTER_FEATURES) < set(seg.LABEL_FEATURES)
    frame = pd.DataFrame({
        "customer_id": ["A1", "A2", "B1", "B2"],
        "frequency": [10, 10, 1, 1], "monetary": [1000.0, 1000.0, 20.0, 20.0],
        "average_order_value": [100.0, 100.0, 20.0, 20.0], "coupon_order_share": [0.0] * 4,
        "recency_days": [5, 5, 400, 400], "tenure_days": [400] * 4, "return_rate": [0.0] * 4,
    })
    result = seg.segment_customers(frame, 2, seed=0)
    # two values per column -> standardised to +-1: A is high-value, frequent (mean 10 orders)
    # and recent (log1p 5 < log1p 400); B low-value, one-time (mean 1 order) and lapsed; the
    # constant tenure and return rate (0) give no word.
    assert dict(zip(result["customer_id"], result["cluster_label"], strict=True)) == {
        "A1": "high-value frequent recent", "A2": "high-value frequent recent",
        "B1": "low-value one-time lapsed", "B2": "low-value one-time lapsed"}
    assert list(result["cluster_id"]) == [1, 1, 2, 2]


def test_default_k_range_starts_at_four():
    # 20 distinct points allow k up to 19; the default range is 4..8
    assert seg.candidate_ks(np.arange(20.0).reshape(-1, 1)) == [4, 5, 6, 7, 8]
    assert seg.candidate_ks(np.arange(4.0).reshape(-1, 1)) == []  # 4 clusters need 5 points


def test_pca_loadings_of_two_identical_features_and_an_independent_one():
    a = np.array([-1.0, -1.0, 1.0, 1.0])
    c = np.array([-1.0, 1.0, -1.0, 1.0])  # uncorrelated with a
    loadings = seg.pca_loadings(np.column_stack([a, a, c]), ["a", "b", "c"])
    table = loadings.pivot(index="feature", columns="component", values="loading")
    # correlation matrix [[1,1,0],[1,1,0],[0,0,1]]: eigenvalues 2, 1, 0
    # component 1 = (a + b) / sqrt 2, loading sqrt 2 / sqrt 2 = 1; component 2 = c, loading 1
    assert table[1].to_dict() == pytest.approx({"a": 1.0, "b": 1.0, "c": 0.0}, abs=1e-9)
    assert table[2].to_dict() == pytest.approx({"a": 0.0, "b": 0.0, "c": 1.0}, abs=1e-9)
    assert table[3].to_dict() == pytest.approx({"a": 0.0, "b": 0.0, "c": 0.0}, abs=1e-9)
    ratios = loadings.groupby("component")["explained_variance_ratio"].first()
    assert list(ratios) == pytest.approx([2 / 3, 1 / 3, 0.0], abs=1e-9)


def test_pca_loadings_signs_are_fixed_and_tiny_inputs_do_not_fail():
    a = np.array([-1.0, -1.0, 1.0, 1.0])
    flipped = seg.pca_loadings(np.column_stack([-a, -a]), ["a", "b"])
    assert flipped.query("component == 1")["loading"].tolist() == pytest.approx([1.0, 1.0])
    assert seg.pca_loadings(np.zeros((1, 3)), ["a", "b", "c"]).empty
    two = seg.pca_loadings(np.array([[-1.0, 1.0], [1.0, -1.0]]), ["a", "b"])
    assert len(two) == 2  # one component: two customers span one dimension
    assert sorted(two["loading"].abs()) == pytest.approx([1.0, 1.0])


def test_export_csv(tmp_path):
    path = seg.export_csv(pd.DataFrame({"x": [1, 2]}), tmp_path / "out", "table")
    assert path == tmp_path / "out" / "table.csv"
    assert path.read_text().splitlines() == ["x", "1", "2"]


def test_no_customers_at_all_gives_empty_frames_with_text_columns():
    empty = blobs().head(0)
    matrix = seg.prepare_features(empty)
    assert matrix.shape == (0, len(seg.CLUSTER_FEATURES))
    assert list(seg.select_k(matrix)["k"]) == [1]
    result = seg.segment_customers(empty, 1)
    assert result.empty and list(result.columns) == ["customer_id", "cluster_id", "cluster_label"]
    # text columns keep a string dtype, so DuckDB types them VARCHAR even when empty
    assert pd.api.types.is_string_dtype(result["cluster_label"])
    assert pd.api.types.is_string_dtype(seg.pca_loadings(matrix)["feature"])
