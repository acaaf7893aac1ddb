-- The clean marketing spend rows of the canonical contract.
{{ config(materialized="view") }}
{{ clean_rows('marketing_spend') }}
