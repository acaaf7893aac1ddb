{#-
    Every staged row of an entity, typed per the canonical contract, with `quarantine_reason`
    (null for clean rows), `raw_record` (the row as it came, as JSON text) and
    `record_fingerprint` (md5 of its cleaned text, what duplicates are found by). The first rule
    that matches gives the reason; see canonical_entities() for the order.

    Incremental runs (see validated_entity_config) validate only the rows appended to each raw
    file since the last run (incremental_new_rows) and check them for duplicates against the
    rows validated before (incremental_ranks), so that they get the reason a full refresh would
    give them.
-#}
{% macro validate_entity(entity) %}
{%- set spec = canonical_entities()[entity] -%}
{%- set columns = spec["columns"] -%}
{%- set spelled = columns | selectattr("spelling") | map(attribute="name") | list -%}
{%- set compared = columns | map(attribute="name")
    | reject("in", spec.get("duplicate_ignores", [])) | list -%}
{%- set compared_texts = [] -%}
{%- for name in compared -%}
    {%- do compared_texts.append("typed." ~ name ~ "__text") -%}
{%- endfor -%}
{%- set key = spec["unique_key"] -%}
{#- (is_incremental() needs `this`, which unit tests of table models lack.) -#}
{%- set incremental = config.get("materialized") == "incremental" and is_incremental() -%}

with staged as (

    {{ staged_entity(entity) }}

),
{% if incremental %}
{{ incremental_new_rows() }},
{% endif %}
typed as (

    select
        source_file,
        source_row_number,
        {{ raw_record_json(columns | map(attribute="name") | list) }} as raw_record,
        {%- for column in columns %}
        {{ clean_text(column.name) }} as {{ column.name }}__text,
        {{ parse_typed(clean_text(column.name), column.type) }} as {{ column.name }}
        {{- "," if not loop.last }}
        {%- endfor %}
    from {{ "new_rows" if incremental else "staged" }}

),
{% for name in spelled %}
{#- The most common spelling of each case-insensitive value; ties go to the first in sort order. -#}
spelling__{{ name }} as (

    select
        spelling_key,
        spelling as canonical_{{ name }}
    from (
        select
            lower({{ name }}) as spelling_key,
            {{ name }} as spelling,
            row_number() over (
                partition by lower({{ name }})
                order by count(*) desc, {{ name }}
            ) as spelling_rank
        from typed
        where {{ name }} is not null
        group by lower({{ name }}), {{ name }}
    ) as spellings
    where spelling_rank = 1

),
{% endfor %}
checked as (

    select
        typed.source_file,
        typed.source_row_number,
        typed.raw_record,
        {{ record_fingerprint(compared_texts) }} as record_fingerprint,
        {%- for column in columns %}
        {%- if column.name in spelled %}
        spelling__{{ column.name }}.canonical_{{ column.name }} as {{ column.name }},
        {%- else %}
        typed.{{ column.name }},
        {%- endif %}
        {%- endfor %}
        case
            {%- for column in columns if column.required %}
            when typed.{{ column.name }}__text is null then 'missing_{{ column.name }}'
            {%- endfor %}
            {%- for column in columns %}
            when typed.{{ column.name }}__text is not null and typed.{{ column.name }} is null
                then 'invalid_{{ column.name }}'
            {%- endfor %}
            {%- for rule in spec["rules"] %}
            when {{ rule.when }} then '{{ rule.reason }}'
            {%- endfor %}
        end as defect
    from typed
    {%- for name in spelled %}
    left join spelling__{{ name }}
        on lower(typed.{{ name }}) = spelling__{{ name }}.spelling_key
    {%- endfor %}

),

ranked as (

    select
        *,
        row_number() over (
            partition by record_fingerprint
            order by source_row_number
        ) as copy_number,
        row_number() over (
            partition by {{ key | join(", ") }}, defect is null
            order by source_row_number
        ) as key_rank
    from checked

){% if incremental %},
{{ incremental_ranks(key) }}
{%- endif %}

select
    source_file,
    source_row_number,
    raw_record,
    record_fingerprint,
    {%- for column in columns %}
    {{ column.name }},
    {%- endfor %}
    case
        when defect is not null then defect
        when copy_number > 1 then 'duplicate'
        when key_rank > 1 then 'conflicting_duplicate'
    end as quarantine_reason
from {{ "ranked_overall" if incremental else "ranked" }}
{% endmacro %}
