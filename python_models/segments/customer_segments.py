"""One row per customer with its K-Means cluster and the cluster's readable label, for the k
chosen in customer_segment_model. The work is done by ecommerce_warehouse.segmentation."""

from ecommerce_warehouse import segmentation


def model(dbt, session):
    """Each customer's cluster and label for the k chosen in customer_segment_model."""
    dbt.config(materialized="table")
    features = dbt.ref("customer_features").df().sort_values("customer_id", ignore_index=True)
    chosen = dbt.ref("customer_segment_model").df().query("is_chosen").iloc[0]
    settings = dbt.config.get("meta")["segmentation"]
    result = segmentation.segment_customers(features, int(chosen["k"]), seed=int(settings["seed"]))
    result["n_clusters"] = int(chosen["k"])
    result["silhouette_score"] = chosen["silhouette_score"]
    return result[["customer_id", "cluster_id", "cluster_label", "n_clusters", "silhouette_score"]]
