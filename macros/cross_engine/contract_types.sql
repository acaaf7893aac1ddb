{#-
    Contract data types on Spark. The marts' YAML declares one vocabulary for every engine
    (varchar, bigint, integer, double, boolean, date, timestamp: what DuckDB reports). Spark
    understands all of them but a bare `varchar` (it wants a length, and calls text `string`),
    so dbt's contract check on Spark casts each declared type through spark_type() first. Write
    new contract columns with these names and they hold on both engines.
-#}
{% macro spark_type(data_type) -%}
    {%- set aliases = {"varchar": "string", "text": "string"} -%}
    {{- aliases.get(data_type | lower | trim, data_type) -}}
{%- endmacro %}


{#- Overrides dbt's default__get_empty_schema_sql on Spark only: the same query, with the types
    translated. -#}
{% macro spark__get_empty_schema_sql(columns) -%}
    {%- set translated = {} -%}
    {%- for name, column in columns.items() -%}
        {%- set copy = {} -%}
        {%- do copy.update(column) -%}
        {%- if column.get("data_type") -%}
            {%- do copy.update({"data_type": spark_type(column["data_type"])}) -%}
        {%- endif -%}
        {%- do translated.update({name: copy}) -%}
    {%- endfor -%}
    {{ return(dbt.default__get_empty_schema_sql(translated)) }}
{%- endmacro %}
