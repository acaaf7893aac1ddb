{#- Per raw table: rows read, rows kept clean, rows quarantined. Raw = clean + quarantined. -#}
with
{% for entity in canonical_entities() %}
    staged__{{ entity }} as (

        {{ staged_entity(entity) }}

    ),

    cleaned__{{ entity }} as (

        select * from {{ ref('int_' ~ entity ~ '_cleaned') }}

    ),
{% endfor %}
quarantined_rows as (

    select * from {{ ref('quarantined_rows') }}

),

counts as (
    {% for entity in canonical_entities() %}
        select
            '{{ entity }}' as source_table,
            {{ "true" if source_has_entity(entity) else "false" }} as is_provided_by_source,
            (select count(*) from staged__{{ entity }}) as raw_rows,
            (select count(*) from cleaned__{{ entity }}) as clean_rows,
            (
                select count(*) from quarantined_rows
                where source_table = '{{ entity }}'
            ) as quarantined_rows
        {% if not loop.last %}union all{% endif %}
    {% endfor %}
)

select
    '{{ var("source_system") }}' as source_system,
    source_table,
    is_provided_by_source,
    raw_rows,
    clean_rows,
    quarantined_rows,
    raw_rows = clean_rows + quarantined_rows as is_reconciled
from counts
