-- Every staged marketing spend row, typed, with its quarantine reason (null = clean).
{{ validate_entity('marketing_spend') }}
