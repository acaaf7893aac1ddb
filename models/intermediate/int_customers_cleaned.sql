-- The clean customers rows of the canonical contract.
{{ clean_rows('customers') }}
