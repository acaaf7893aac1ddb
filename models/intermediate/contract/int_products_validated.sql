-- Every staged products row, typed, with its quarantine reason (null = clean).
{{ config(**validated_entity_config('products')) }}
{{ validate_entity('products') }}
