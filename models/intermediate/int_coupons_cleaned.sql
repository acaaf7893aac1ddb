-- The clean coupons rows of the canonical contract.
{{ clean_rows('coupons') }}
