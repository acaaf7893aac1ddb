-- Every staged order lines row, typed, with its quarantine reason (null = clean).
{{ config(**validated_entity_config('order_lines')) }}
{{ validate_entity('order_lines') }}
