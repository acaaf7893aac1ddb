-- The clean web events rows of the canonical contract.
{{ config(materialized="view") }}
{{ clean_rows('web_events') }}
