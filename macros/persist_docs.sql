{#-
    persist_docs writes each description as a DuckDB comment, which BI tools show as plain text:
    the Markdown of the descriptions (bold, code, links, headings, bullets) is taken out first.
    These override dbt-duckdb's macros of the same names, which write the text as is.
-#}
{% macro plain_text(markdown) -%}
    {%- set re = modules.re -%}
    {%- set text = re.sub("\[([^\]]+)\]\([^)]*\)", "\\1", markdown) -%}
    {%- set text = re.sub("(?m)^\s*#+\s*", "", text) -%}
    {%- set text = re.sub("(?m)^\s*[*+]\s+", "- ", text) -%}
    {%- set text = re.sub("\*\*|\*|`", "", text) -%}
    {{- re.sub("\s+", " ", text) | trim -}}
{%- endmacro %}


{% macro duckdb__alter_relation_comment(relation, comment) %}
    comment on {{ relation.type }} {{ relation }} is {{ duckdb_escape_comment(plain_text(comment)) }};
{% endmacro %}


{% macro duckdb__alter_column_comment(relation, column_dict) %}
    {%- set existing_columns = adapter.get_columns_in_relation(relation) | map(attribute="name") | list -%}
    {%- for column_name in column_dict if column_name in existing_columns %}
        {%- set column = column_dict[column_name] %}
    comment on column {{ relation }}.{{ adapter.quote(column_name) if column["quote"] else column_name }}
        is {{ duckdb_escape_comment(plain_text(column["description"])) }};
    {%- endfor %}
{% endmacro %}
