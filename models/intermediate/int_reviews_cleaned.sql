-- The clean reviews rows of the canonical contract.
{{ clean_rows('reviews') }}
