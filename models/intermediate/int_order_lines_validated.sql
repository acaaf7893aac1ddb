-- Every staged order lines row, typed, with its quarantine reason (null = clean).
{{ validate_entity('order_lines') }}
