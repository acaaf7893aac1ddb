-- Every staged customers row, typed, with its quarantine reason (null = clean).
{{ config(**validated_entity_config('customers')) }}
{{ validate_entity('customers') }}
