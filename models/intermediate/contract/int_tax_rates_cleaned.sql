-- The clean tax rates rows of the canonical contract.
{{ config(materialized="view") }}
{{ clean_rows('tax_rates') }}
