-- Every staged reviews row, typed, with its quarantine reason (null = clean).
{{ config(**validated_entity_config('reviews')) }}
{{ validate_entity('reviews') }}
