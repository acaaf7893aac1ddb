-- Every staged tax rates row, typed, with its quarantine reason (null = clean).
{{ config(**validated_entity_config('tax_rates')) }}
{{ validate_entity('tax_rates') }}
