-- The clean retention offers rows of the canonical contract.
{{ config(materialized="view") }}
{{ clean_rows('retention_offers') }}
