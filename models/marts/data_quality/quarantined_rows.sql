{#- Every raw row the contract layer rejected, with the reason and the row as it came. -#}
with
{% for entity in canonical_entities() %}
    {{ entity }} as (

        select * from {{ ref('int_' ~ entity ~ '_validated') }}

    ),
{% endfor %}
quarantined as (
    {% for entity in canonical_entities() %}
        select
            '{{ entity }}' as source_table,
            source_file,
            source_row_number,
            quarantine_reason as reason,
            raw_record
        from {{ entity }}
        where quarantine_reason is not null
        {% if not loop.last %}union all{% endif %}
    {% endfor %}
)

select
    source_table || ':' || cast(source_row_number as {{ dbt.type_string() }}) as quarantined_row_id,
    '{{ var("source_system") }}' as source_system,
    source_table,
    source_file,
    source_row_number,
    reason,
    raw_record
from quarantined
