{#-
    The table kind of the mapped source (docs/source_mapping.md, "From the shop's database"):
    an entity names a `table:` of the shop's database instead of files. The database is the one
    SHOP_DATABASE_URL names, attached read-only as catalog `shop_db` by the dbt-duckdb plugin
    ecommerce_warehouse/shop_database.py; the mapping's `database:` block gives the schema
    (PostgreSQL) or database (MySQL / MariaDB) of the tables, and optionally the expected type.
    `order_lines` may `join:` the orders table, whose columns then sit on every line.
-#}

{% macro shop_database_catalog() %}{{ return("shop_db") }}{% endmacro %}


{#- The attached shop database's type (postgres / mysql), or none when none is attached. -#}
{% macro mapped_database_type() %}
    {%- set found = run_query("select type from duckdb_databases() where database_name = '"
        ~ shop_database_catalog() ~ "'").columns[0].values() -%}
    {{ return(found[0] if found else none) }}
{% endmacro %}


{#- [schema, table] of a table name: `table` in the database block's schema, or `schema.table`. -#}
{% macro mapped_table_parts(mapping, name) %}
    {%- set name = name | string -%}
    {%- if "." in name -%}{{ return(name.split(".", 1)) }}{%- endif -%}
    {{ return([(mapping.get("database") or {}).get("schema") | string, name]) }}
{% endmacro %}


{% macro mapped_table_sql(mapping, name) %}
    {%- set parts = mapped_table_parts(mapping, name) -%}
    {{ return(shop_database_catalog() ~ "." ~ source_column(parts[0]) ~ "." ~ source_column(parts[1])) }}
{% endmacro %}


{#- The entity's table, joined to its `join` table on its `using` column(s) when it has one. -#}
{% macro mapped_table_from(mapping, spec) %}
    {%- set sql = mapped_table_sql(mapping, spec.table) -%}
    {%- if spec.get("join") -%}
        {%- set using = spec.join.using -%}
        {%- set using = [using] if using is string else using -%}
        {%- set keys = [] -%}
        {%- for key in using -%}{%- do keys.append(source_column(key)) -%}{%- endfor -%}
        {%- set sql = sql ~ " join " ~ mapped_table_sql(mapping, spec.join.table)
            ~ " using (" ~ keys | join(", ") ~ ")" -%}
    {%- endif -%}
    {{ return(sql) }}
{% endmacro %}


{#- How the entity's rows are named in source_file and messages: schema.table (+ join). -#}
{% macro mapped_table_label(mapping, spec) %}
    {%- set label = mapped_table_parts(mapping, spec.table) | join(".") -%}
    {%- if spec.get("join") -%}
        {%- set label = label ~ " join " ~ mapped_table_parts(mapping, spec.join.table) | join(".") -%}
    {%- endif -%}
    {{ return(label) }}
{% endmacro %}


{#- The entity's rows as text columns and `filename` (the table's name), like the file kinds.
    Typed values become ISO text (dates, timestamps; a zoned timestamp in UTC) or their plain
    text (numbers), which the mapping's default formats read: a typed column needs no format.
    Rows are numbered in the order of all their columns: a table has no row order of its own. -#}
{% macro mapped_table_relation(entity, spec) %}
    {%- set mapping = source_mapping() -%}
    {%- set from = mapped_table_from(mapping, spec) -%}
    {%- set described = run_query("describe select * from " ~ from) -%}
    {%- set columns = [] -%}
    {%- for row in described.rows -%}
        {%- set name, type = row[0], row[1] | upper -%}
        {%- if type == "DATE" -%}
            {%- set value = "strftime(" ~ source_column(name) ~ ", '%Y-%m-%d')" -%}
        {%- elif type == "TIMESTAMP WITH TIME ZONE" -%}
            {%- set value = "strftime(timezone('UTC', " ~ source_column(name) ~ "), '%Y-%m-%d %H:%M:%S')" -%}
        {%- elif type.startswith("TIMESTAMP") -%}
            {%- set value = "strftime(" ~ source_column(name) ~ ", '%Y-%m-%d %H:%M:%S')" -%}
        {%- else -%}
            {%- set value = "cast(" ~ source_column(name) ~ " as varchar)" -%}
        {%- endif -%}
        {%- do columns.append(value ~ " as " ~ source_column(name)) -%}
    {%- endfor -%}
    {{ return("(select " ~ columns | join(", ") ~ ", " ~ sql_string(mapped_table_label(mapping, spec))
        ~ " as filename from (select * from " ~ from ~ ") order by all)") }}
{% endmacro %}


{#- The columns of every table of the attached shop database: {"schema.table": [columns]}. -#}
{% macro shop_database_columns() %}
    {%- set found = {} -%}
    {%- set query -%}
        select table_schema || '.' || table_name, column_name
        from information_schema.columns
        where table_catalog = '{{ shop_database_catalog() }}'
        order by table_schema, table_name, ordinal_position
    {%- endset -%}
    {%- for row in run_query(query).rows -%}
        {%- do found.setdefault(row[0], []).append(row[1]) -%}
    {%- endfor -%}
    {{ return(found) }}
{% endmacro %}


{#- Problems of the top-level `database:` block: the database must be attached (and of the
    expected type); none when neither the block nor any entity's table is given. -#}
{% macro mapped_database_problems(mapping) %}
    {%- set block = mapping.get("database") -%}
    {%- set tables = [] -%}
    {%- for entity, spec in (mapping.get("entities") or {}).items()
        if spec is mapping and spec.get("table") -%}
        {%- do tables.append("entities." ~ entity ~ ".table") -%}
    {%- endfor -%}
    {%- if block is none and not tables -%}{{ return([]) }}{%- endif -%}
    {%- set block = {} if block is none else block -%}
    {%- if block is not mapping -%}
        {{ return(["database: must be a block of keys (schema, type)"]) }}
    {%- endif -%}
    {%- set problems = [] -%}
    {%- for key in block if key not in ("schema", "type") -%}
        {%- do problems.append("database." ~ key ~ ": unknown key (known: schema, type)") -%}
    {%- endfor -%}
    {%- if block.get("type") and block.type not in ("postgres", "mysql") -%}
        {%- do problems.append("database.type: '" ~ block.type ~ "' is neither postgres nor mysql") -%}
    {%- endif -%}
    {%- set attached = mapped_database_type() -%}
    {%- if not attached -%}
        {%- do problems.append((tables | join(", ") or "database") ~ ": the shop database is not "
            ~ "connected: set SHOP_DATABASE_URL (e.g. postgresql://USER@HOST:5432/DATABASE) and "
            ~ "SHOP_DATABASE_PASSWORD") -%}
    {%- elif block.get("type") and attached != block.type -%}
        {%- do problems.append("database.type: the mapping expects a " ~ block.type
            ~ " database, SHOP_DATABASE_URL names a " ~ attached ~ " one") -%}
    {%- endif -%}
    {{ return(problems) }}
{% endmacro %}


{#- Problems of one entity's `table` (and `join`): each table must exist in the attached
    database, the `using` column(s) in both tables, and no other column in both (it would be
    ambiguous). The mapped columns are then checked against the joined header like a file's. -#}
{% macro mapped_table_problems(mapping, entity, spec) %}
    {%- set key = "entities." ~ entity -%}
    {%- if spec.get("files") -%}
        {{ return([key ~ ": give files or table, not both"]) }}
    {%- endif -%}
    {%- if not mapped_database_type() -%}
        {{ return([]) }}  {#- reported once, by mapped_database_problems -#}
    {%- endif -%}
    {%- if not (mapping.get("database") or {}).get("schema") and "." not in spec.table | string -%}
        {{ return([key ~ ".table: '" ~ spec.table ~ "' has no schema: give database.schema or schema.table"]) }}
    {%- endif -%}
    {%- set tables = shop_database_columns() -%}
    {%- set problems = [] -%}
    {%- set named = [{"key": key ~ ".table", "name": spec.table}] -%}
    {%- if spec.get("join") is not none -%}
        {%- if spec.join is not mapping or not spec.join.get("table") or not spec.join.get("using") -%}
            {{ return([key ~ ".join: give table and using (the column or columns both tables share)"]) }}
        {%- endif -%}
        {%- if entity != "order_lines" -%}
            {%- do problems.append(key ~ ".join: only order_lines joins its orders table") -%}
        {%- endif -%}
        {%- do named.append({"key": key ~ ".join.table", "name": spec.join.table}) -%}
    {%- endif -%}
    {%- for table in named -%}
        {%- set label = mapped_table_parts(mapping, table.name) | join(".") -%}
        {%- if label not in tables -%}
            {%- do problems.append(table.key ~ ": table " ~ label ~ " not found in the shop database"
                ~ " (tables there: " ~ (tables.keys() | list | join(", ") or "none the user may read") ~ ")") -%}
        {%- endif -%}
    {%- endfor -%}
    {%- if problems or spec.get("join") is none -%}{{ return(problems) }}{%- endif -%}
    {%- set left = tables[mapped_table_parts(mapping, spec.table) | join(".")] -%}
    {%- set right_label = mapped_table_parts(mapping, spec.join.table) | join(".") -%}
    {%- set right = tables[right_label] -%}
    {%- set using = [spec.join.using] if spec.join.using is string else spec.join.using -%}
    {%- for column in using -%}
        {%- for label, header in [(mapped_table_parts(mapping, spec.table) | join("."), left), (right_label, right)]
            if column not in header -%}
            {%- do problems.append(key ~ ".join.using: column '" ~ column ~ "' is not in " ~ label
                ~ " (columns: " ~ header | join(", ") ~ ")") -%}
        {%- endfor -%}
    {%- endfor -%}
    {%- for column in left if column in right and column not in using -%}
        {%- do problems.append(key ~ ".join: column '" ~ column ~ "' is in both tables but not in using"
            ~ " (ambiguous): add it to using or map a view without it") -%}
    {%- endfor -%}
    {{ return(problems) }}
{% endmacro %}
