-- The clean marketing spend rows of the canonical contract.
{{ clean_rows('marketing_spend') }}
