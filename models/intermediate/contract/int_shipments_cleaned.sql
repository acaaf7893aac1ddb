-- The clean shipments rows of the canonical contract.
{{ config(materialized="view") }}
{{ clean_rows('shipments') }}
