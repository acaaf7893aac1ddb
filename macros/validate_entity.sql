{#-
    Every staged row of an entity, typed per the canonical contract, with `quarantine_reason`
    (null for clean rows) and `raw_record` (the row as it came, as JSON text). The first rule
    that matches gives the reason; see canonical_entities() for the order.
-#}
{% macro validate_entity(entity) %}
{%- set spec = canonical_entities()[entity] -%}
{%- set columns = spec["columns"] -%}
{%- set spelled = columns | selectattr("spelling") | map(attribute="name") | list -%}
{%- set compared = columns | map(attribute="name")
    | reject("in", spec.get("duplicate_ignores", [])) | list -%}

with staged as (

    {{ staged_entity(entity) }}

),

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
    from staged

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
        {%- for name in compared %}
        typed.{{ name }}__text,
        {%- endfor %}
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
            partition by {{ compared | join("__text, ") }}__text
            order by source_row_number
        ) as copy_number,
        row_number() over (
            partition by {{ spec["unique_key"] | join(", ") }}, defect is null
            order by source_row_number
        ) as key_rank
    from checked

)

select
    source_file,
    source_row_number,
    raw_record,
    {%- for column in columns %}
    {{ column.name }},
    {%- endfor %}
    case
        when defect is not null then defect
        when copy_number > 1 then 'duplicate'
        when key_rank > 1 then 'conflicting_duplicate'
    end as quarantine_reason
from ranked
{% endmacro %}


{# Text as it should be compared: outer whitespace trimmed, inner runs collapsed, '' = null. #}
{% macro clean_text(column) -%}
    nullif(trim({{ regexp_replace_all(column, '\s+', ' ') }}), '')
{%- endmacro %}


{# A cleaned text expression read as a contract type; null when it cannot be read. #}
{% macro parse_typed(expression, type) -%}
    {%- if type == "text" -%}
        {{ expression }}
    {%- elif type == "integer" -%}
        try_cast({{ expression }} as {{ dbt.type_bigint() }})
    {%- elif type == "number" -%}
        try_cast({{ expression }} as double)
    {%- elif type == "date" -%}
        cast({{ try_parse_timestamp(expression, var("date_formats")) }} as date)
    {%- elif type == "timestamp" -%}
        {{ try_parse_timestamp(expression, var("timestamp_formats")) }}
    {%- else -%}
        {{ exceptions.raise_compiler_error("canonical_entities: unknown column type '" ~ type ~ "'") }}
    {%- endif -%}
{%- endmacro %}


{# The raw row as JSON text, keyed by canonical column name. #}
{% macro raw_record_json(column_names) -%}
    {{ return(adapter.dispatch("raw_record_json", "ecommerce_warehouse")(column_names)) }}
{%- endmacro %}

{% macro default__raw_record_json(column_names) -%}
    cast(json_object(
        {%- for name in column_names %}
        '{{ name }}', {{ name }}{{ "," if not loop.last }}
        {%- endfor %}
    ) as {{ dbt.type_string() }})
{%- endmacro %}

{#- Spark: to_json drops null fields unless told not to; DuckDB's json_object keeps them. -#}
{% macro spark__raw_record_json(column_names) -%}
    to_json(named_struct(
        {%- for name in column_names %}
        '{{ name }}', {{ name }}{{ "," if not loop.last }}
        {%- endfor %}
    ), map('ignoreNullFields', 'false'))
{%- endmacro %}


{# The clean rows of an entity: its validated rows without a quarantine reason. #}
{% macro clean_rows(entity) %}
with validated as (

    select * from {{ ref("int_" ~ entity ~ "_validated") }}

)

select
    {%- for column in canonical_entities()[entity]["columns"] %}
    {{ column.name }},
    {%- endfor %}
    source_file,
    source_row_number
from validated
where quarantine_reason is null
{% endmacro %}
