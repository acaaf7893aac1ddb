{#-
    Where the relations go (DuckDB), so that a BI tool sees only what it should read:
      marts         the public marts (models/marts, python_models)
      data_quality  quarantined_rows and row_reconciliation
      internal      staging, intermediate, seeds and the MetricFlow time spine
    Set by `+schema` in dbt_project.yml, used as is (dbt's default would prefix the target's
    schema: main_marts). Other engines (the Spark target) keep everything in the target schema.
-#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none or target.type != "duckdb" -%}
        {{ target.schema }}
    {%- else -%}
        {{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}


{#-
    On DuckDB, refs are written schema.table, without the catalog: DuckDB names the catalog
    after the file, so a view reading "warehouse"."internal"."x" would fail in a copy of the
    file under another name. Schema.table resolves in the view's own database.
-#}
{% macro ref() -%}
    {%- set relation = builtins.ref(*varargs, **kwargs) -%}
    {%- if target.type == "duckdb" and relation is not string -%}
        {%- do return(relation.include(database=false)) -%}
    {%- endif -%}
    {%- do return(relation) -%}
{%- endmacro %}
