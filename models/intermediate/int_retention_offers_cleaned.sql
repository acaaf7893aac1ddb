-- The clean retention offers rows of the canonical contract.
{{ clean_rows('retention_offers') }}
