-- Every staged coupons row, typed, with its quarantine reason (null = clean).
{{ validate_entity('coupons') }}
