-- The clean customers rows of the canonical contract.
{{ config(materialized="view") }}
{{ clean_rows('customers') }}
