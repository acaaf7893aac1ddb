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
