-- The clean web events rows of the canonical contract.
{{ clean_rows('web_events') }}
