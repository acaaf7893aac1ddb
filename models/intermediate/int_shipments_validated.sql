-- Every staged shipments row, typed, with its quarantine reason (null = clean).
{{ validate_entity('shipments') }}
