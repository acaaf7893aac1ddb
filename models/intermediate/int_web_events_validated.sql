-- Every staged web events row, typed, with its quarantine reason (null = clean).
{{ validate_entity('web_events') }}
