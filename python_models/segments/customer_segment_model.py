"""K-Means model selection: one row per k tried, with its silhouette; the chosen k flagged.
The work is done by ecommerce_warehouse.segmentation (unit-tested); this model only wires it."""

from ecommerce_warehouse import segmentation


def model(dbt, session):
    """One row per k tried (silhouette, inertia), the chosen k flagged."""
    dbt.config(materialized="table")
    features = dbt.ref("customer_features").df().sort_values("customer_id", ignore_index=True)
    settings = dbt.config.get("meta")["segmentation"]
    matrix = segmentation.prepare_features(features)
    result = segmentation.select_k(
        matrix,
        k_min=int(settings["k_min"]),
        k_max=int(settings["k_max"]),
        seed=int(settings["seed"]),
    )
    result["customers"] = len(features)
    result["features"] = ", ".join(segmentation.CLUSTER_FEATURES)
    return result[["k", "is_chosen", "silhouette_score", "inertia", "customers", "features"]]
