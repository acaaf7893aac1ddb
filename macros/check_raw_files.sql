{#-
    Runs before every build (on-run-start): each raw file of the chosen source system must exist,
    be non-empty and have every column its source declares; a source whose meta says
    `one_file_per_table: true` (a glob like `Tax_amount.csv*`) must match exactly one file.
    Otherwise the build stops with one message naming the files and the columns, before any
    model reads them. (Bad values inside a
    well-formed file are not errors: those rows go to quarantine with a reason.)
    An incremental build also stops, with one line, when the raw files are no longer where the
    last build read them (a moved raw folder, another source): see raw_files_moved.
    For source_system mapped it validates the mapping file against its files instead
    (check_source_mapping, macros/source_mapping.sql).
    This is the DuckDB form; spark__check_raw_files (macros/cross_engine/raw_tables.sql) also
    registers the raw files as Spark tables.
-#}
{% macro check_raw_files() %}
    {{ return(adapter.dispatch("check_raw_files", "ecommerce_warehouse")()) }}
{% endmacro %}


{% macro duckdb__check_raw_files() %}
    {%- if execute and var("source_system") == "mapped" -%}
        {%- do check_source_mapping() -%}
    {%- elif execute -%}
        {%- set problems = [] -%}
        {%- for node in graph.sources.values() if node.source_name == var("source_system") -%}
            {%- set problem = raw_file_problem(node) -%}
            {%- if problem -%}{%- do problems.append(problem) -%}{%- endif -%}
        {%- endfor -%}
        {%- if problems -%}
            {{ exceptions.raise_compiler_error(
                "Raw files of source_system '" ~ var("source_system") ~ "' cannot be read:\n  - "
                ~ problems | join("\n  - ")
                ~ "\n(raw_data_path = '" ~ var("raw_data_path", env_var("RAW_DATA_PATH", "data/demo"))
                ~ "'; `make demo-data` writes the demo shop there.)"
            ) }}
        {%- endif -%}
        {%- set moved = raw_files_moved() -%}
        {%- if moved -%}{{ exceptions.raise_compiler_error(moved) }}{%- endif -%}
    {%- endif -%}
{% endmacro %}


{#-
    The incremental validated models remember each row by its raw file's path (source_file):
    read from another folder, every row would look new and be validated again beside its
    earlier copy. So an incremental build whose last build read the order lines from a file
    that none of this build's raw paths matches stops, saying why ('' when all is well).
-#}
{% macro raw_files_moved() %}
    {%- if flags.FULL_REFRESH -%}{{ return("") }}{%- endif -%}
    {%- set node = graph.nodes.values() | selectattr("name", "equalto", "int_order_lines_validated") | first -%}
    {%- set validated = adapter.get_relation(node.database, node.schema, node.alias) -%}
    {%- if validated is none -%}{{ return("") }}{%- endif -%}
    {%- set last = run_query("select source_file from " ~ validated ~ " limit 1").columns[0].values() -%}
    {%- if last | length == 0 -%}{{ return("") }}{%- endif -%}
    {%- set patterns = [] -%}
    {%- for source in graph.sources.values() if source.source_name == var("source_system") -%}
        {%- do patterns.append("'" ~ modules.re.search("'([^']+)'", source.relation_name).group(1) ~ "'") -%}
    {%- endfor -%}
    {%- set file = last[0] | replace("'", "''") -%}
    {%- set found = run_query("select list_bool_or(list_transform([" ~ patterns | join(", ")
        ~ "], pattern -> '" ~ file ~ "' glob pattern))").columns[0].values()[0] -%}
    {%- if found -%}{{ return("") }}{%- endif -%}
    {{ return("The raw files moved: the last build read " ~ last[0] ~ ", this one reads raw_data_path = '"
        ~ var("raw_data_path", env_var("RAW_DATA_PATH", "data/demo"))
        ~ "'; run with --full-refresh (e.g. make build DBT_ARGS=--full-refresh) to rebuild from there.") }}
{% endmacro %}


{#- The problem with one source table's file as a sentence, or '' when it is fine. A table whose
    meta says `optional: true` may be absent (its staging model is then empty: raw_table_present). -#}
{% macro raw_file_problem(node) %}
    {%- set path = modules.re.search("'([^']+)'", node.relation_name).group(1) -%}
    {%- set files = run_query("select file from glob('" ~ path ~ "') order by file").columns[0].values() -%}
    {%- if files | length == 0 and node.meta.get("optional") -%}
        {{ return("") }}
    {%- elif files | length == 0 -%}
        {{ return("file not found: " ~ path) }}
    {%- endif -%}
    {%- if node.source_meta.get("one_file_per_table") and files | length > 1 -%}
        {{ return(path ~ " matches " ~ files | length ~ " files, keep one: " ~ files | join(", ")) }}
    {%- endif -%}
    {%- set size = run_query("select sum(size) from read_blob('" ~ path ~ "')").columns[0].values()[0] -%}
    {%- if size == 0 -%}
        {{ return(path ~ " is empty (not even a header row)") }}
    {%- endif -%}
    {%- set described = run_query("describe select * from " ~ node.relation_name) -%}
    {%- set header = described.columns[0].values() | reject("equalto", "filename") | list -%}
    {%- set missing = node.columns.keys() | reject("in", header) | list -%}
    {%- if missing -%}
        {{ return(path ~ ": missing column(s) " ~ missing | join(", ")
            ~ " (header has: " ~ header | join(", ") ~ ")") }}
    {%- endif -%}
    {{ return("") }}
{% endmacro %}


{#- Whether the raw file of source table `relation` (a `source()`, read with read_csv) exists.
    True while parsing, so that dbt records the source either way. -#}
{% macro raw_table_present(relation) %}
    {%- if not execute -%}{{ return(true) }}{%- endif -%}
    {%- set path = modules.re.search("'([^']+)'", relation | string).group(1) -%}
    {%- set files = run_query("select count(*) from glob('" ~ path ~ "')").columns[0].values()[0] -%}
    {{ return(files > 0) }}
{% endmacro %}
