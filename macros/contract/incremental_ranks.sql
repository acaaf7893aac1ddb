{#- validate_entity's CTEs for an incremental run, after its `ranked`: what the rows validated
    before add to the ranks (their copies of each text, and their rows without a defect of each
    key: rows found to be duplicates had no defect either), giving `ranked_overall`. -#}
{% macro incremental_ranks(key) %}
copies_before as (

    select
        record_fingerprint,
        count(*) as copies
    from validated_before
    where record_fingerprint in (select record_fingerprint from checked)
    group by record_fingerprint

),

keys_before as (

    select
        {%- for column in key %}
        before.{{ column }},
        {%- endfor %}
        count(*) as key_rows
    from validated_before as before
    inner join (select distinct {{ key | join(", ") }} from checked where defect is null) as new_keys
        on {% for column in key -%}
        before.{{ column }} is not distinct from new_keys.{{ column }}
        {%- if not loop.last %} and {% endif %}
        {%- endfor %}
    where before.quarantine_reason is null
        or before.quarantine_reason in ('duplicate', 'conflicting_duplicate')
    group by {% for column in key %}before.{{ column }}{{ ", " if not loop.last }}{% endfor %}

),

ranked_overall as (

    select
        ranked.* exclude (copy_number, key_rank),
        ranked.copy_number + coalesce(copies_before.copies, 0) as copy_number,
        ranked.key_rank + coalesce(keys_before.key_rows, 0) as key_rank
    from ranked
    left join copies_before
        on ranked.record_fingerprint = copies_before.record_fingerprint
    left join keys_before
        on ranked.defect is null
        {%- for column in key %}
        and ranked.{{ column }} is not distinct from keys_before.{{ column }}
        {%- endfor %}

)
{% endmacro %}
