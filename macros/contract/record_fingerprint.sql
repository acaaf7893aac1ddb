{#- md5 of a row's cleaned texts (nulls told apart from any text), as 32 hex digits. -#}
{% macro record_fingerprint(text_expressions) -%}
    md5({{ adapter.dispatch("json_text_array", "ecommerce_warehouse")(text_expressions) }})
{%- endmacro %}

{% macro default__json_text_array(text_expressions) -%}
    cast(json_array({{ text_expressions | join(", ") }}) as {{ dbt.type_string() }})
{%- endmacro %}

{% macro spark__json_text_array(text_expressions) -%}
    to_json(array({{ text_expressions | join(", ") }}))
{%- endmacro %}
