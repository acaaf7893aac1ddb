-- The clean shipments rows of the canonical contract.
{{ clean_rows('shipments') }}
