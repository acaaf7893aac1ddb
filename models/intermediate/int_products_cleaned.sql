-- The clean products rows of the canonical contract.
{{ clean_rows('products') }}
