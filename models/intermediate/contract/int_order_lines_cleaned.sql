-- The clean order lines rows of the canonical contract.
{{ config(materialized="view") }}
{{ clean_rows('order_lines') }}
