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
