-- Every staged retention offers row, typed, with its quarantine reason (null = clean).
{{ config(**validated_entity_config('retention_offers')) }}
{{ validate_entity('retention_offers') }}
