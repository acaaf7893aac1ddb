-- Every staged customers row, typed, with its quarantine reason (null = clean).
{{ validate_entity('customers') }}
