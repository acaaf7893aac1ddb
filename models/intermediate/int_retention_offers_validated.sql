-- Every staged retention offers row, typed, with its quarantine reason (null = clean).
{{ validate_entity('retention_offers') }}
