-- Every staged reviews row, typed, with its quarantine reason (null = clean).
{{ validate_entity('reviews') }}
