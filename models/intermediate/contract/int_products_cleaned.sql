-- The clean products rows of the canonical contract.
{{ config(materialized="view") }}
{{ clean_rows('products') }}
