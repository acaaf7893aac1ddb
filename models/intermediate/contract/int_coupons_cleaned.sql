-- The clean coupons rows of the canonical contract.
{{ config(materialized="view") }}
{{ clean_rows('coupons') }}
