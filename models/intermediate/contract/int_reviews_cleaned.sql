-- The clean reviews rows of the canonical contract.
{{ config(materialized="view") }}
{{ clean_rows('reviews') }}
