-- Every staged web events row, typed, with its quarantine reason (null = clean).
{{ config(**validated_entity_config('web_events')) }}
{{ validate_entity('web_events') }}
