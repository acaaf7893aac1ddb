-- The clean tax rates rows of the canonical contract.
{{ clean_rows('tax_rates') }}
