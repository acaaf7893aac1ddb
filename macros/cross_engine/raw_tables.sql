{#-
    How the raw files reach the engine, per adapter (dispatched from check_raw_files and the
    staging models). DuckDB reads them in place through the sources' `external_location`;
    Spark registers one table per raw file (`create table <source>.<table> using csv|parquet`
    over the file, every column read as text), which the sources then name.
-#}

{# Spark form of check_raw_files: the same checks (file present, not empty, every declared
   column in its header), then the table over each file. #}
{% macro spark__check_raw_files() %}
    {%- if execute -%}
        {%- set raw_dir = var("raw_data_path", env_var("RAW_DATA_PATH", "data/demo")) -%}
        {%- set nodes = graph.sources.values() | selectattr("source_name", "equalto", var("source_system")) | list -%}
        {%- if var("source_system") != "demo" -%}
            {{ exceptions.raise_compiler_error(
                "The spark target reads the demo source only (source_system = demo); the other "
                ~ "source adapters run on DuckDB. Got source_system '" ~ var("source_system") ~ "'.") }}
        {%- endif -%}
        {#- The names of the raw folder's files, listed by Spark itself. -#}
        {%- do run_query("create or replace temporary view raw_file_listing using binaryFile options (path '"
            ~ raw_dir ~ "', pathGlobFilter '*." ~ var("raw_format") ~ "')") -%}
        {%- set listed = [] -%}
        {%- for listed_path in run_query("select path from raw_file_listing").columns[0].values() -%}
            {%- do listed.append(listed_path.split("/")[-1]) -%}
        {%- endfor -%}
        {%- set problems = [] -%}
        {%- if nodes -%}
            {%- do run_query("create database if not exists " ~ nodes[0].schema) -%}
        {%- endif -%}
        {%- for node in nodes -%}
            {%- set file_name = node.name ~ "." ~ var("raw_format") -%}
            {%- set path = raw_dir ~ "/" ~ file_name -%}
            {%- if file_name not in listed -%}
                {#- Spark's file listing leaves out empty files: either way nothing to read. -#}
                {%- do problems.append("file not found, or empty (not even a header row): " ~ path) -%}
            {%- else -%}
                {%- do run_query("drop table if exists " ~ node.relation_name) -%}
                {%- do run_query(spark_raw_table_ddl(node, path)) -%}
                {%- set header = run_query("describe table " ~ node.relation_name).columns[0].values() | list -%}
                {%- set missing = node.columns.keys() | reject("in", header) | list -%}
                {%- if missing -%}
                    {%- do problems.append(path ~ ": missing column(s) " ~ missing | join(", ")
                        ~ " (header has: " ~ header | join(", ") ~ ")") -%}
                {%- endif -%}
            {%- endif -%}
        {%- endfor -%}
        {%- if problems -%}
            {{ exceptions.raise_compiler_error(
                "Raw files of source_system '" ~ var("source_system") ~ "' cannot be read:\n  - "
                ~ problems | join("\n  - ")
                ~ "\n(raw_data_path = '" ~ raw_dir ~ "'; `make demo-data` writes the demo shop there.)"
            ) }}
        {%- endif -%}
    {%- endif -%}
{% endmacro %}


{#- A table over one raw file (it replaces the one of an earlier run, dropped first: such a
    table only points at its file, so dropping it leaves the file alone). CSV columns are all read as text, like DuckDB's
    all_varchar; escape = quote reads doubled quotes inside quoted values. -#}
{% macro spark_raw_table_ddl(node, path) %}
    {%- set options = {"path": path} -%}
    {%- if var("raw_format") == "csv" -%}
        {%- do options.update({"header": "true", "inferSchema": "false", "sep": ",", "quote": '"', "escape": '"',
            "multiLine": "true"}) -%}
    {%- endif -%}
    create table {{ node.relation_name }}
    using {{ var("raw_format") }}
    options (
        {%- for key, value in options.items() %}
        '{{ key }}' '{{ value | replace("'", "\\'") }}'{{ "," if not loop.last }}
        {%- endfor %}
    )
{% endmacro %}


{#- The raw file a staged row came from (DuckDB's `filename` column, Spark's file metadata). -#}
{% macro source_file_name() -%}
    {{ return(adapter.dispatch("source_file_name", "ecommerce_warehouse")()) }}
{%- endmacro %}

{% macro default__source_file_name() -%}
    filename
{%- endmacro %}

{% macro spark__source_file_name() -%}
    input_file_name()
{%- endmacro %}


{#- Each row's position in its raw file, 1..n in file order. DuckDB keeps insertion order (the
    profile sets preserve_insertion_order); Spark numbers the rows by their increasing ids, which
    follow the file's splits in order. -#}
{% macro source_row_number() -%}
    {{ return(adapter.dispatch("source_row_number", "ecommerce_warehouse")()) }}
{%- endmacro %}

{% macro default__source_row_number() -%}
    row_number() over ()
{%- endmacro %}

{% macro spark__source_row_number() -%}
    cast(row_number() over (order by monotonically_increasing_id()) as {{ dbt.type_bigint() }})
{%- endmacro %}


{#- On-run-start: says on the spark target which models it leaves out and why (dbt_project.yml
    disables them). -#}
{% macro note_spark_disabled_models() %}
    {%- if execute and target.type == "spark" -%}
        {%- do log("spark target: the dbt Python models (K-Means segments, predictions, basket rules, "
            ~ "experiment power) and the SQL marts reading them (basket marts, customer_segment_profiles) "
            ~ "are disabled here: dbt-spark runs Python models on Databricks clusters only. They run on "
            ~ "the DuckDB target, and would on Databricks with dbt-databricks.", info=true) -%}
    {%- endif -%}
{% endmacro %}
