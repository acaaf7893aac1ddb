{# Text as it should be compared: outer whitespace trimmed, inner runs collapsed, '' = null. #}
{% macro clean_text(column) -%}
    nullif(trim({{ regexp_replace_all(column, '\s+', ' ') }}), '')
{%- endmacro %}
