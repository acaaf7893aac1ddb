"""Customer segmentation with K-Means: the plain functions behind the dbt Python models in
python_models/segments/ (customer_segment_model, customer_segments, customer_segment_loadings).

The models stay thin: they load `customer_features`, call these functions and return a frame.
Everything is deterministic: fixed seeds, clusters numbered by value, PCA signs fixed.

Method, in order:

1. :func:`prepare_features`: each clustering feature (``CLUSTER_FEATURES``: how a customer
   buys) is log-transformed (signed ``log1p``, so that a negative net revenue stays defined)
   and standardised to mean 0, variance 1.
2. :func:`select_k`: K-Means (``n_init`` restarts, fixed seed) for every k of the configured
   range that the data allows; the k with the best silhouette score wins (a tie goes to the
   smaller k). Fallback when there are too few distinct customers for any k of the range
   (silhouette needs 2 <= k <= distinct customers - 1): one cluster holding everyone, with a
   null silhouette.
3. :func:`fit_clusters`: the chosen k fitted again with the same seed; clusters are numbered
   1..k by decreasing mean net revenue, so cluster 1 is always the most valuable.
4. :func:`label_clusters`: a human-readable label from the cluster's mean standardised
   profile (``LABEL_FEATURES``: the clustering features plus recency, tenure and returns; see
   ``LABEL_RULES``), e.g. "high-value frequent recent".
5. :func:`pca_loadings`: factor loadings of the standardised features on every principal
   component (eigenvector x sqrt(eigenvalue), i.e. the correlation of feature and component).
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.cluster import KMeans
from sklearn.decomposition import PCA
from sklearn.metrics import silhouette_score
from threadpoolctl import threadpool_limits  # installed with scikit-learn

# The columns of customer_features that K-Means reads: what kind of buyer a customer is (how
# often, how much, how big a basket, how price-driven), not where the customer stands in the
# lifecycle. Left out of the distance (they stay in customer_features, the cluster profiles and
# the labels): recency and tenure, which mostly say when a customer signed up or last came
# (a lapsed big spender is still a big spender; the RFM segments and churn predictions cover
# "slipping away"), and return_rate, zero for ~95 % of customers, on which K-Means splits off
# small clusters of the few who returned something. average_days_between_orders is undefined
# for single-purchase customers and carried by frequency.
CLUSTER_FEATURES = (
    "frequency",
    "monetary",
    "average_order_value",
    "coupon_order_share",
)
# The columns whose cluster means name a cluster (see LABEL_RULES).
LABEL_FEATURES = CLUSTER_FEATURES + ("recency_days", "tenure_days", "return_rate")
# k = 2 or 3 only splits off coupon users (and one-time buyers) from everyone else, which
# coupon share and the RFM segments already say; on the demo shops the silhouette of those
# coarse splits is from 0.08 below to 0.01 above that of the best k in 4..8, so the range
# starts at 4 (dbt var segmentation_k_min).
DEFAULT_K_MIN = 4
DEFAULT_K_MAX = 8
DEFAULT_SEED = 42
DEFAULT_N_INIT = 10
# Silhouette is O(n^2): above this many customers it is computed on a fixed random sample.
SILHOUETTE_SAMPLE_SIZE = 5000

# Labels: a cluster whose mean standardised feature is at least THRESHOLD above (below) the
# average customer gets the high (low) word. Value and frequency always get a word; the other
# traits are added, strongest first, when they pass the threshold.
LABEL_THRESHOLD = 0.5
LABEL_RULES = {
    # feature: (word when high, word when low, word when neither or None)
    "monetary": ("high-value", "low-value", "mid-value"),
    "frequency": ("frequent", "infrequent", None),
    "recency_days": ("lapsed", "recent", None),
    "coupon_order_share": ("coupon-driven", None, None),
    "return_rate": ("returns-prone", None, None),
    "tenure_days": ("long-standing", "newly acquired", None),
}
# A cluster whose customers made fewer than this many purchases on average is "one-time".
ONE_TIME_MAX_MEAN_FREQUENCY = 1.5


def signed_log1p(values: np.ndarray) -> np.ndarray:
    """sign(x) * log(1 + |x|): log-like for large values, defined for zero and negatives."""
    return np.sign(values) * np.log1p(np.abs(values))


def prepare_features(frame: pd.DataFrame, features=CLUSTER_FEATURES) -> np.ndarray:
    """The clustering matrix: features log-transformed, then standardised (mean 0, sd 1).

    Missing values count as 0; a constant feature (sd 0) becomes all zeros."""
    values = signed_log1p(frame[list(features)].astype(float).fillna(0.0).to_numpy())
    if len(values) == 0:
        return values.reshape(0, len(features))
    centred = values - values.mean(axis=0)
    sd = values.std(axis=0)
    return centred / np.where(sd > 0, sd, 1.0)


def distinct_points(matrix: np.ndarray) -> int:
    """Number of distinct rows (customers with identical features count once)."""
    return len(np.unique(np.round(matrix, 12), axis=0)) if len(matrix) else 0


def candidate_ks(matrix: np.ndarray, k_min: int = DEFAULT_K_MIN, k_max: int = DEFAULT_K_MAX):
    """The ks of the range for which a silhouette exists: 2 <= k <= distinct points - 1."""
    upper = min(k_max, distinct_points(matrix) - 1)
    return list(range(max(k_min, 2), upper + 1))


def _kmeans(matrix: np.ndarray, k: int, seed: int, n_init: int) -> KMeans:
    # One BLAS/OpenMP thread: K-Means on a feature table is small, and on a busy machine
    # (dbt runs models in parallel) more threads are many times slower, not faster.
    with threadpool_limits(limits=1):
        return KMeans(n_clusters=k, n_init=n_init, random_state=seed).fit(matrix)


def select_k(matrix: np.ndarray, k_min: int = DEFAULT_K_MIN, k_max: int = DEFAULT_K_MAX,
             seed: int = DEFAULT_SEED, n_init: int = DEFAULT_N_INIT,
             sample_size: int = SILHOUETTE_SAMPLE_SIZE) -> pd.DataFrame:
    """One row per k tried: k, silhouette_score, inertia, is_chosen (best silhouette, ties to
    the smaller k). Too few distinct customers for any k of the range: a single row k = 1
    (everyone in one cluster) with a null silhouette, chosen."""
    rows = []
    for k in candidate_ks(matrix, k_min, k_max):
        fitted = _kmeans(matrix, k, seed, n_init)
        with threadpool_limits(limits=1):
            score = silhouette_score(
                matrix, fitted.labels_,
                sample_size=sample_size if len(matrix) > sample_size else None,
                random_state=seed,
            )
        rows.append({"k": k, "silhouette_score": float(score), "inertia": float(fitted.inertia_)})
    if not rows:
        inertia = float(((matrix - matrix.mean(axis=0)) ** 2).sum()) if len(matrix) else 0.0
        rows.append({"k": 1, "silhouette_score": np.nan, "inertia": inertia})
    result = pd.DataFrame(rows)
    best = result["silhouette_score"].fillna(-np.inf).to_numpy().argmax()  # first = smaller k
    result["is_chosen"] = np.arange(len(result)) == best
    return result


def fit_clusters(matrix: np.ndarray, k: int, order_by: np.ndarray, seed: int = DEFAULT_SEED,
                 n_init: int = DEFAULT_N_INIT) -> np.ndarray:
    """Cluster ids 1..k, numbered by decreasing mean of `order_by` (e.g. net revenue)."""
    if len(matrix) == 0:
        return np.zeros(0, dtype=int)
    if k <= 1:
        return np.ones(len(matrix), dtype=int)
    raw = _kmeans(matrix, k, seed, n_init).labels_
    means = pd.Series(order_by).groupby(raw).mean()
    # decreasing mean, ties broken by K-Means' own label so the order is total
    order = sorted(means.index, key=lambda label: (-means[label], label))
    renumber = {label: rank for rank, label in enumerate(order, start=1)}
    return np.array([renumber[label] for label in raw], dtype=int)


def label_clusters(standardised: pd.DataFrame, clusters, mean_frequency=None,
                   threshold: float = LABEL_THRESHOLD) -> dict[int, str]:
    """A readable, unique label per cluster from its mean standardised features.

    standardised: one column per feature (the clustering matrix); clusters: the cluster of each
    row; mean_frequency: optional {cluster: mean raw purchases}, to call a cluster "one-time".
    Value word always; then "one-time" / "frequent" / "infrequent"; then the other traits
    past the threshold, strongest first. A single cluster is "all customers"; a label that
    would repeat gets " (cluster <id>)"."""
    centroids = standardised.groupby(np.asarray(clusters)).mean()
    if len(centroids) <= 1:
        return {int(cluster): "all customers" for cluster in centroids.index}
    labels = {}
    for cluster, centroid in centroids.iterrows():
        words = []
        for feature in ("monetary", "frequency"):
            if feature not in centroid:
                continue
            high, low, middle = LABEL_RULES[feature]
            if (feature == "frequency" and mean_frequency is not None
                    and mean_frequency.get(cluster, np.inf) < ONE_TIME_MAX_MEAN_FREQUENCY):
                words.append("one-time")
            elif centroid[feature] >= threshold:
                words.append(high)
            elif centroid[feature] <= -threshold and low:
                words.append(low)
            elif middle:
                words.append(middle)
        traits = []
        for feature, (high, low, _) in LABEL_RULES.items():
            if feature in ("monetary", "frequency") or feature not in centroid:
                continue
            z = centroid[feature]
            if z >= threshold and high:
                traits.append((-abs(z), feature, high))
            elif z <= -threshold and low:
                traits.append((-abs(z), feature, low))
        words += [word for _, _, word in sorted(traits)[:2]]
        # iterrows types the label Hashable; this index holds the (integer) cluster labels
        labels[int(cluster)] = " ".join(words) or "average"  # type: ignore[call-overload]
    counts = pd.Series(list(labels.values())).value_counts()
    return {cluster: (f"{label} (cluster {cluster})" if counts[label] > 1 else label)
            for cluster, label in labels.items()}


def segment_customers(features: pd.DataFrame, k: int, seed: int = DEFAULT_SEED,
                      n_init: int = DEFAULT_N_INIT, columns=CLUSTER_FEATURES,
                      label_columns=LABEL_FEATURES) -> pd.DataFrame:
    """One row per customer: customer_id, cluster_id (1 = highest mean net revenue) and
    cluster_label, for k clusters (k from :func:`select_k`) on the `columns`; the labels read
    the standardised `label_columns` (those need not be clustered on)."""
    matrix = prepare_features(features, columns)
    clusters = fit_clusters(matrix, k, features["monetary"].astype(float).to_numpy(),
                            seed, n_init)
    mean_frequency = features["frequency"].astype(float).groupby(clusters).mean().to_dict()
    profile = pd.DataFrame(prepare_features(features, label_columns), columns=list(label_columns))
    labels = label_clusters(profile, clusters, mean_frequency)
    # "str" dtype: text columns stay VARCHAR in DuckDB even when the frame is empty
    return pd.DataFrame({
        "customer_id": pd.Series(features["customer_id"].to_numpy(), dtype="str"),
        "cluster_id": pd.Series(clusters, dtype="int64"),
        "cluster_label": pd.Series([labels[int(cluster)] for cluster in clusters], dtype="str"),
    })


def pca_loadings(matrix: np.ndarray, features=CLUSTER_FEATURES) -> pd.DataFrame:
    """Long table of PCA factor loadings: feature, component (1 = most variance), loading,
    explained_variance_ratio.

    The loading is eigenvector x sqrt(eigenvalue) of the features' correlation matrix (the
    matrix is standardised with the population sd), i.e. the correlation of the feature with
    the component, within -1..1. Components: as many as the data has dimensions, at most
    min(customers - 1, features). Signs are fixed so that each component's largest absolute
    loading is positive (a tie goes to the first feature). Fewer than 2 customers: no rows."""
    columns = ["feature", "component", "loading", "explained_variance_ratio"]
    if len(matrix) < 2:
        return pd.DataFrame({column: pd.Series(dtype=dtype) for column, dtype in
                             zip(columns, ["str", "int64", "float64", "float64"], strict=True)})
    n_components = min(len(matrix) - 1, matrix.shape[1])
    pca = PCA(n_components=n_components, svd_solver="full").fit(matrix)
    # PCA's variances use n - 1; the correlation matrix's eigenvalues use n.
    eigenvalues = pca.explained_variance_ * (len(matrix) - 1) / len(matrix)
    total = float(np.var(matrix, axis=0).sum())
    rows = []
    for index, (vector, eigenvalue) in enumerate(zip(pca.components_, eigenvalues, strict=True)):
        rounded = np.round(np.abs(vector), 12)
        sign = 1.0 if vector[rounded.argmax()] >= 0 else -1.0
        ratio = float(eigenvalue / total) if total > 0 else np.nan
        scale = sign * np.sqrt(max(eigenvalue, 0.0))
        for feature, weight in zip(features, vector, strict=True):
            rows.append({"feature": feature, "component": index + 1,
                         "loading": float(weight * scale) + 0.0,  # + 0.0: no -0.0
                         "explained_variance_ratio": ratio})
    return pd.DataFrame(rows, columns=columns).astype({"feature": "str"})


def export_csv(frame: pd.DataFrame, directory: str | os.PathLike, name: str) -> Path:
    """Write frame to <directory>/<name>.csv (folders created); returns the path."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{name}.csv"
    frame.to_csv(path, index=False)
    return path
