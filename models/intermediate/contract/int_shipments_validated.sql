-- Every staged shipments row, typed, with its quarantine reason (null = clean).
{{ config(**validated_entity_config('shipments')) }}
{{ validate_entity('shipments') }}
