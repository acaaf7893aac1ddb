-- Every staged marketing spend row, typed, with its quarantine reason (null = clean).
{{ config(**validated_entity_config('marketing_spend')) }}
{{ validate_entity('marketing_spend') }}
