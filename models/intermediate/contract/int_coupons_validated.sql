-- Every staged coupons row, typed, with its quarantine reason (null = clean).
{{ config(**validated_entity_config('coupons')) }}
{{ validate_entity('coupons') }}
