-- The clean order lines rows of the canonical contract.
{{ clean_rows('order_lines') }}
