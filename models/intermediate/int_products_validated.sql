-- Every staged products row, typed, with its quarantine reason (null = clean).
{{ validate_entity('products') }}
