"""PCA factor loadings of the standardised clustering features (one row per feature and
component), also written to <export_dir>/customer_segment_loadings.csv (meta.segmentation.
export_dir; default: the dbt target folder). The work is done by
ecommerce_warehouse.segmentation."""

from ecommerce_warehouse import paths, segmentation


def model(dbt, session):
    """The PCA loadings of customer_features' clustering features, also exported as CSV."""
    dbt.config(materialized="table")
    features = dbt.ref("customer_features").df().sort_values("customer_id", ignore_index=True)
    settings = dbt.config.get("meta")["segmentation"]
    loadings = segmentation.pca_loadings(segmentation.prepare_features(features))
    segmentation.export_csv(
        loadings, paths.resolve(settings["export_dir"]), "customer_segment_loadings"
    )
    return loadings
