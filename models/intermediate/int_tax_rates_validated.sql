-- Every staged tax rates row, typed, with its quarantine reason (null = clean).
{{ validate_entity('tax_rates') }}
