{#-
    source_system `mapped`: a shop's exports read as a YAML mapping file describes them
    (schema and examples: docs/source_mapping.md). `source_mapping()` loads the file,
    `check_source_mapping()` (from on-run-start) validates it against the files, and
    `mapped_entity(entity)` is the SQL of a mapped staging model. Where an entity's rows are
    read from is decided in one place, `mapped_relation` (files, or a database `table`, plugged
    in there).
-#}

{#- Keys a mapping may have, per level (anything else is an error naming the key). -#}
{% macro mapping_keys() %}
{{ return({
    "top": ["currency", "currency_rates", "database", "entities"],
    "entity": [
        "files", "table", "join", "from_order_lines", "format", "encoding", "delimiter", "quote", "sheet",
        "decimal_separator", "thousands_separator", "timestamp_formats", "date_formats",
        "fill_down", "cancelled_when", "columns",
    ],
    "column_forms": ["column", "constant", "hash", "expression"],
    "order_line_extras": {
        "order_discount_amount": "number", "delivery_charge": "number", "refund_amount": "number",
        "currency": "text", "product_name": "text", "category": "text", "list_price": "number",
        "country": "text",
    },
}) }}
{% endmacro %}


{#- The mapping file's path: var source_mapping, else env SOURCE_MAPPING; a bare name is a
    shipped mapping in mappings/, a relative path is taken from the repository root (as
    ecommerce_warehouse/paths.py does for the env, which tells the root). -#}
{% macro source_mapping_path() %}
    {%- set given = var("source_mapping", env_var("SOURCE_MAPPING", "")) | string -%}
    {%- if not given -%}
        {{ exceptions.raise_compiler_error(
            "source_system 'mapped' needs a mapping file: set the var source_mapping or the env "
            ~ "SOURCE_MAPPING (a file, or the name of one in mappings/, e.g. shopify)") }}
    {%- endif -%}
    {%- if "/" not in given and not given.endswith((".yml", ".yaml")) -%}
        {%- set given = "mappings/" ~ given ~ ".yml" -%}
    {%- endif -%}
    {%- if not given.startswith("/") -%}
        {%- set given = env_var("ECOMMERCE_WAREHOUSE_ROOT", ".") ~ "/" ~ given -%}
    {%- endif -%}
    {{ return(given) }}
{% endmacro %}


{#- The mapping file as text (read by DuckDB: dbt's Jinja cannot open files). -#}
{% macro source_mapping_text() %}
    {%- set path = source_mapping_path() -%}
    {%- set found = run_query("select count(*) from glob('" ~ path ~ "')").columns[0].values()[0] -%}
    {%- if found == 0 -%}
        {{ exceptions.raise_compiler_error("source_mapping: file not found: " ~ path) }}
    {%- endif -%}
    {{ return(run_query("select content from read_text('" ~ path ~ "')").columns[0].values()[0]) }}
{% endmacro %}


{#- The mapping as a dict ({} while dbt parses: the file is read only when models run). -#}
{% macro source_mapping() %}
    {%- if not execute -%}{{ return({}) }}{%- endif -%}
    {%- set mapping = fromyaml(source_mapping_text()) -%}
    {{ return(mapping if mapping is mapping else {}) }}
{% endmacro %}


{#- The entity's block of the mapping ({} when not mapped). -#}
{% macro mapping_entity(mapping, entity) %}
    {{ return((mapping.get("entities") or {}).get(entity) or {}) }}
{% endmacro %}


{#- Whether the mapping provides an entity: order lines, and customers and products (derived
    from the lines when not mapped) always; shipments also when the lines have a delivery
    charge; any other entity when it is mapped. -#}
{% macro mapping_provides(entity) %}
    {%- set mapping = source_mapping() -%}
    {%- if entity in ("order_lines", "customers", "products") -%}{{ return(true) }}{%- endif -%}
    {%- if entity == "shipments" and (mapping_entity(mapping, "order_lines").get("columns") or {}).get("delivery_charge") -%}
        {{ return(true) }}
    {%- endif -%}
    {{ return(mapping_entity(mapping, entity) != {}) }}
{% endmacro %}


{#- The raw files an entity's globs match, relative globs taken from raw_data_path. -#}
{% macro mapped_globs(spec) %}
    {%- set raw = var("raw_data_path", env_var("RAW_DATA_PATH", "data/demo")) -%}
    {%- set globs = spec.get("files") -%}
    {%- set globs = [globs] if globs is string else (globs or []) -%}
    {%- set paths = [] -%}
    {%- for glob in globs -%}
        {%- do paths.append(glob if glob.startswith("/") else raw ~ "/" ~ glob) -%}
    {%- endfor -%}
    {{ return(paths) }}
{% endmacro %}


{% macro mapped_files(spec) %}
    {%- set files = [] -%}
    {%- for path in mapped_globs(spec) -%}
        {%- for file in run_query("select file from glob('" ~ path ~ "') order by file").columns[0].values() -%}
            {%- do files.append(file) -%}
        {%- endfor -%}
    {%- endfor -%}
    {{ return(files) }}
{% endmacro %}


{% macro mapped_format(spec, files) %}
    {%- set format = spec.get("format", "auto") -%}
    {%- if format != "auto" -%}{{ return(format) }}{%- endif -%}
    {%- set first = (files[0] if files else "") | lower -%}
    {%- if first.endswith(".parquet") -%}{{ return("parquet") }}
    {%- elif first.endswith(".xlsx") -%}{{ return("xlsx") }}
    {%- else -%}{{ return("csv") }}
    {%- endif -%}
{% endmacro %}


{% macro sql_string(value) -%}
    '{{ value | string | replace("'", "''") }}'
{%- endmacro %}


{#- What an entity's rows are read from, with every column as text and `filename`: the one
    place where a kind of source plugs in. Files: CSV (also .csv.gz), Parquet or .xlsx (the
    DuckDB excel extension). `table`: the shop's database (macros/source_mapping_database.sql). -#}
{% macro mapped_relation(entity, spec) %}
    {%- if spec.get("table") -%}
        {{ return(mapped_table_relation(entity, spec)) }}
    {%- endif -%}
    {%- set files = mapped_files(spec) -%}
    {%- set format = mapped_format(spec, files) -%}
    {%- set quoted = [] -%}
    {%- for file in files -%}{%- do quoted.append(sql_string(file)) -%}{%- endfor -%}
    {%- if format == "csv" -%}
        read_csv([{{ quoted | join(", ") }}], header = true, all_varchar = true,
            delim = {{ sql_string(spec.get("delimiter", ",")) }}, quote = {{ sql_string(spec.get("quote", '"')) }},
            encoding = {{ sql_string(spec.get("encoding", "utf-8")) }}, union_by_name = true, filename = true)
    {%- elif format == "parquet" -%}
        (select columns(* exclude (filename))::varchar, filename
         from read_parquet([{{ quoted | join(", ") }}], union_by_name = true, filename = true))
    {%- elif format == "xlsx" -%}
        {%- if execute -%}{%- do load_excel_extension(entity) -%}{%- endif %}
        (
        {%- for file in quoted %}
            select *, {{ file }} as filename
            from read_xlsx({{ file }}, all_varchar = true
                {%- if spec.get("sheet") %}, sheet = {{ sql_string(spec.get("sheet")) }}{% endif %})
            {% if not loop.last %}union all by name{% endif %}
        {%- endfor %}
        )
    {%- else -%}
        {{ exceptions.raise_compiler_error(
            "source_mapping: entities." ~ entity ~ ".format: unknown format '" ~ format
            ~ "' (csv, parquet, xlsx or auto)") }}
    {%- endif -%}
{% endmacro %}


{#- The DuckDB excel extension, from the duckdb-extension-excel wheel (requirements.txt),
    whose file ecommerce_warehouse/paths.py puts in env DUCKDB_EXCEL_EXTENSION: no download. -#}
{% macro load_excel_extension(entity) %}
    {%- set extension = env_var("DUCKDB_EXCEL_EXTENSION", "") -%}
    {%- if not extension -%}
        {{ exceptions.raise_compiler_error(
            "source_mapping: entities." ~ entity ~ ": .xlsx files need the DuckDB excel extension, "
            ~ "the PyPI wheel duckdb-extension-excel (pinned in requirements.txt; `make venv`)") }}
    {%- endif -%}
    {%- do run_query("load '" ~ extension ~ "'") -%}
{% endmacro %}


{#- The canonical (and extra) columns of an entity and their contract types. -#}
{% macro mapped_column_types(entity) %}
    {%- set types = {} -%}
    {%- for column in canonical_entities()[entity]["columns"] -%}
        {%- do types.update({column.name: column.type}) -%}
    {%- endfor -%}
    {%- if entity == "order_lines" -%}
        {%- do types.update(mapping_keys()["order_line_extras"]) -%}
    {%- endif -%}
    {{ return(types) }}
{% endmacro %}


{#- How a column is given, as {form: value} (a bare string is a source column). -#}
{% macro column_form(given) %}
    {%- if given is mapping -%}{{ return(given) }}{%- endif -%}
    {{ return({"column": given}) }}
{% endmacro %}


{#- The source columns a column mapping (or SQL condition) reads. -#}
{% macro source_columns_read(given) %}
    {%- set form = column_form(given) -%}
    {%- if "column" in form -%}{{ return([form.column | string]) }}
    {%- elif "hash" in form -%}{{ return([form.hash | string]) }}
    {%- elif "expression" in form -%}
        {{ return(modules.re.findall('"([^"]+)"', form.expression | string)) }}
    {%- endif -%}
    {{ return([]) }}
{% endmacro %}


{#- A source column as a SQL identifier. -#}
{% macro source_column(name) -%}
    "{{ name | replace('"', '""') }}"
{%- endmacro %}


{#- The text SQL of one mapped column, normalised for its type: numbers with '.' as the
    decimal separator and no thousands separator, dates and timestamps as ISO text (a value
    that matches no format stays as it came, for the contract to quarantine). -#}
{% macro mapped_column_sql(spec, given, type) %}
    {%- set form = column_form(given) -%}
    {%- if "constant" in form -%}
        {{ return(sql_string(form.constant)) }}
    {%- elif "column" in form -%}
        {%- set value = "cast(" ~ source_column(form.column) ~ " as varchar)" -%}
    {%- elif "hash" in form -%}
        {%- set cleaned = "nullif(lower(trim(cast(" ~ source_column(form.hash) ~ " as varchar))), '')" -%}
        {%- set value = "sha256(" ~ cleaned ~ ")" -%}
    {%- elif "expression" in form -%}
        {%- set value = "cast((" ~ form.expression ~ ") as varchar)" -%}
    {%- endif -%}
    {%- if type in ("number", "integer") -%}
        {%- if spec.get("thousands_separator") -%}
            {%- set value = "replace(" ~ value ~ ", " ~ sql_string(spec.thousands_separator) ~ ", '')" -%}
        {%- endif -%}
        {%- if spec.get("decimal_separator", ".") != "." -%}
            {%- set value = "replace(" ~ value ~ ", " ~ sql_string(spec.decimal_separator) ~ ", '.')" -%}
        {%- endif -%}
    {%- elif type in ("date", "timestamp") -%}
        {%- set formats = spec.get(type ~ "_formats") or var(type ~ "_formats") -%}
        {%- set formats = [formats] if formats is string else formats -%}
        {%- set iso = "%Y-%m-%d" if type == "date" else "%Y-%m-%d %H:%M:%S" -%}
        {%- set value = "coalesce(strftime(" ~ try_parse_timestamp("trim(" ~ value ~ ")", formats)
            ~ ", '" ~ iso ~ "'), " ~ value ~ ")" -%}
    {%- endif -%}
    {{ return(value) }}
{% endmacro %}


{#- Amounts in other currencies times the mapping's rate (a text that is no number stays). -#}
{% macro in_shop_currency(mapping, value, currency) %}
    {%- set rates = mapping.get("currency_rates") or {} -%}
    {%- if not rates or currency == "null" -%}{{ return(value) }}{%- endif -%}
    {%- set rate -%}
        case {{ currency }}
        {%- for code, rate in rates.items() %} when {{ sql_string(code) }} then {{ rate }}{% endfor %}
        else 1 end
    {%- endset -%}
    {{ return("coalesce(cast(round(try_cast(" ~ value ~ " as double) * " ~ rate ~ ", 6) as varchar), "
        ~ value ~ ")") }}
{% endmacro %}


{#- The rows of a mapped entity: canonical text columns, source_file, source_row_number.
    Order lines also get the order-level amounts spread, cancellations reversed and refunds
    added (see docs/source_mapping.md). -#}
{% macro mapped_entity(entity) %}
{%- set mapping = source_mapping() -%}
{%- set spec = mapping_entity(mapping, entity) -%}
{%- set types = mapped_column_types(entity) -%}
{%- set columns = spec.get("columns") or {} -%}
{%- if not execute or not spec -%}
    {#- While parsing, or not mapped: no rows, the right columns. -#}
    select
    {%- for name in types %}
        cast(null as varchar) as {{ name }},
    {%- endfor %}
        cast(null as varchar) as source_file,
        cast(null as bigint) as source_row_number
    where 1 = 0
{%- else -%}
{%- set order_key = mapped_column_sql(spec, columns.order_id, "text") if entity == "order_lines" else none -%}
with source as (

    select * from {{ mapped_relation(entity, spec) }}

),

numbered as (

    select
        *,
        row_number() over () as source_row_number
    from source

),

filled as (

    select
        * {%- if spec.get("fill_down") %} replace (
        {%- for name in spec.fill_down %}
            first_value({{ source_column(name) }}) over (
                partition by {{ order_key }} order by source_row_number
            ) as {{ source_column(name) }}{{ "," if not loop.last }}
        {%- endfor %}
        ){%- endif %}
    from numbered

),

mapped as (

    select
        {%- for name, type in types.items() %}
        {%- if name in columns and columns[name] is not none %}
        {{ mapped_column_sql(spec, columns[name], type) }} as {{ name }},
        {%- else %}
        cast(null as varchar) as {{ name }},
        {%- endif %}
        {%- endfor %}
        {%- if entity == "order_lines" %}
        coalesce({{ spec.get("cancelled_when") or "false" }}, false) as is_cancelled_row,
        {%- endif %}
        filename as source_file,
        source_row_number
    from filled

)
{%- if entity != "order_lines" %}

select
    {%- for name in types %}
    {{ name }},
    {%- endfor %}
    source_file,
    source_row_number
from mapped
{%- else %},

{%- set order = clean_text("order_id") %}
{%- set currency = "currency" if "currency" in columns else "null" %}
orders as (

    select
        *,
        row_number() over (partition by {{ order }} order by source_row_number) as order_row_number,
        bool_or(is_cancelled_row) over (partition by {{ order }}) as is_cancelled_order,
        first_value({{ in_shop_currency(mapping, "order_discount_amount", currency) }}) over (
            partition by {{ order }} order by source_row_number
        ) as order_discount,
        sum(
            try_cast({{ clean_text("quantity") }} as double)
            * try_cast({{ in_shop_currency(mapping, clean_text("unit_price"), currency) }} as double)
        ) over (partition by {{ order }}) as order_gross
    from mapped

),

placed as (

    select
        order_id,
        {%- if "line_number" in columns %}
        line_number,
        {%- else %}
        cast(order_row_number as varchar) as line_number,
        {%- endif %}
        ordered_at,
        customer_id,
        product_id,
        quantity,
        {{ in_shop_currency(mapping, "unit_price", currency) }} as unit_price,
        coalesce(
            discount_pct,
            cast(round(try_cast(order_discount as double) / nullif(order_gross, 0), 10) as varchar)
        ) as discount_pct,
        coupon_code,
        return_of_order_id,
        case when order_row_number = 1
            then {{ in_shop_currency(mapping, "delivery_charge", currency) }} end as delivery_charge,
        case when order_row_number = 1 and not is_cancelled_order
            then {{ in_shop_currency(mapping, "refund_amount", currency) }} end as refund_amount,
        is_cancelled_order,
        -- The mapped status, else `completed` (a cancelled order stays a sale reversed below).
        coalesce({{ clean_text("order_status") }}, 'completed') as order_status,
        product_name,
        category,
        list_price,
        country,
        source_file,
        source_row_number
    from orders

),

-- A cancelled order is reversed: each of its lines again with the quantity negated.
cancellations as (

    select
        order_id || '-cancelled' as order_id,
        line_number,
        ordered_at,
        customer_id,
        product_id,
        coalesce(cast(-try_cast({{ clean_text("quantity") }} as bigint) as varchar), quantity) as quantity,
        unit_price,
        discount_pct,
        coupon_code,
        order_id as return_of_order_id,
        'returned' as order_status,
        product_name,
        category,
        list_price,
        country,
        source_file || ' (cancellation)' as source_file,
        source_row_number
    from placed
    where is_cancelled_order

),

-- A refund (the export does not say of which items) is one return line of product `refund`.
refunds as (

    select
        order_id || '-refund' as order_id,
        '1' as line_number,
        ordered_at,
        customer_id,
        'refund' as product_id,
        '-1' as quantity,
        refund_amount as unit_price,
        cast(null as varchar) as discount_pct,
        cast(null as varchar) as coupon_code,
        order_id as return_of_order_id,
        'returned' as order_status,
        'Refund' as product_name,
        cast(null as varchar) as category,
        cast(null as varchar) as list_price,
        country,
        source_file || ' (refund)' as source_file,
        source_row_number
    from placed
    where try_cast(refund_amount as double) > 0

)

select * exclude (is_cancelled_order, refund_amount) from placed
union all by name
select * from cancellations
union all by name
select * from refunds
{%- endif %}
{%- endif %}
{% endmacro %}


{#- Keys given twice in one block of the mapping file (YAML keeps only the last): one problem
    per repeat, with its line numbers. Block-style keys only, which is how mappings are written. -#}
{% macro repeated_mapping_keys(text) %}
    {%- set ns = namespace(stack=[]) -%}
    {%- set seen = {} -%}
    {%- set problems = [] -%}
    {%- for line in text.split("\n") -%}
        {%- set found = modules.re.match("^( *)([A-Za-z_][A-Za-z0-9_]*|\"[^\"]+\"|'[^']+')\\s*:(\\s|$)", line) -%}
        {%- if found -%}
            {%- set indent = found.group(1) | length -%}
            {%- set ns.stack = ns.stack | selectattr("indent", "lt", indent) | list -%}
            {%- set path = (ns.stack | map(attribute="key") | list + [found.group(2).strip("\"'")]) | join(".") -%}
            {%- if path in seen -%}
                {%- do problems.append(path ~ ": given twice (lines " ~ seen[path] ~ " and " ~ loop.index ~ ")") -%}
            {%- else -%}
                {%- do seen.update({path: loop.index}) -%}
            {%- endif -%}
            {%- do ns.stack.append({"indent": indent, "key": found.group(2).strip("\"'")}) -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return(problems) }}
{% endmacro %}


{#- Every problem of the mapping against its files, as sentences naming the mapping key, the
    file and the column (see docs/source_mapping.md, Validation). Run by check_raw_files. -#}
{% macro source_mapping_problems() %}
    {%- set text = source_mapping_text() -%}
    {%- set problems = repeated_mapping_keys(text) -%}
    {%- set mapping = fromyaml(text) -%}
    {%- if mapping is not mapping -%}
        {{ return(problems + ["the file is not a YAML mapping of keys (see docs/source_mapping.md)"]) }}
    {%- endif -%}
    {%- set keys = mapping_keys() -%}
    {%- for key in mapping if key not in keys.top -%}
        {%- do problems.append(key ~ ": unknown key (known: " ~ keys.top | join(", ") ~ ")") -%}
    {%- endfor -%}
    {%- do problems.extend(mapped_database_problems(mapping)) -%}
    {%- set entities = mapping.get("entities") or {} -%}
    {%- if "order_lines" not in entities -%}
        {%- do problems.append("entities.order_lines: missing (order lines are required)") -%}
    {%- endif -%}
    {%- for entity, spec in entities.items() -%}
        {%- if entity not in canonical_entities() -%}
            {%- do problems.append("entities." ~ entity ~ ": unknown entity (known: "
                ~ canonical_entities().keys() | join(", ") ~ ")") -%}
        {%- elif spec is not mapping -%}
            {%- do problems.append("entities." ~ entity ~ ": must be a block of keys") -%}
        {%- else -%}
            {%- do problems.extend(mapped_entity_problems(mapping, entity, spec)) -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return(problems) }}
{% endmacro %}


{% macro mapped_entity_problems(mapping, entity, spec) %}
    {%- set key = "entities." ~ entity -%}
    {%- set problems = [] -%}
    {%- for name in spec if name not in mapping_keys().entity -%}
        {%- do problems.append(key ~ "." ~ name ~ ": unknown key (known: "
            ~ mapping_keys().entity | join(", ") ~ ")") -%}
    {%- endfor -%}
    {%- for name in ("fill_down", "cancelled_when") if spec.get(name) and entity != "order_lines" -%}
        {%- do problems.append(key ~ "." ~ name ~ ": only order_lines has orders") -%}
    {%- endfor -%}
    {%- if spec.get("from_order_lines") -%}
        {%- if entity not in ("customers", "products") -%}
            {%- do problems.append(key ~ ".from_order_lines: only customers and products can be derived from the order lines") -%}
        {%- endif -%}
        {{ return(problems) }}
    {%- endif -%}
    {%- if spec.get("table") -%}
        {#- the table kind (macros/source_mapping_database.sql); then its header as a file's -#}
        {%- do problems.extend(mapped_table_problems(mapping, entity, spec)) -%}
        {%- if problems or not mapped_database_type() -%}{{ return(problems) }}{%- endif -%}
        {%- set where = mapped_table_label(mapping, spec) -%}
    {%- else -%}
    {%- if not spec.get("files") -%}
        {{ return(problems + [key ~ ": needs files (a glob relative to raw_data_path)"]) }}
    {%- endif -%}
    {%- for glob in mapped_globs(spec) -%}
        {%- if run_query("select count(*) from glob('" ~ glob ~ "')").columns[0].values()[0] == 0 -%}
            {%- do problems.append(key ~ ".files: no file matches " ~ glob) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- if problems -%}{{ return(problems) }}{%- endif -%}
    {%- set files = mapped_files(spec) -%}
    {%- set where = files | join(", ") -%}
    {%- for file in files -%}
        {%- if run_query("select size from read_blob('" ~ file ~ "')").columns[0].values()[0] == 0 -%}
            {%- do problems.append(key ~ ".files: " ~ file ~ " is empty (not even a header row)") -%}
        {%- endif -%}
    {%- endfor -%}
    {%- if problems -%}{{ return(problems) }}{%- endif -%}
    {%- endif -%}
    {%- set relation = mapped_relation(entity, spec) -%}
    {%- set header = run_query("describe select * from " ~ relation).columns[0].values()
        | reject("equalto", "filename") | list -%}
    {%- set columns = spec.get("columns") or {} -%}
    {%- set types = mapped_column_types(entity) -%}
    {#- Source columns the mapping reads, with the key that reads them. -#}
    {%- set reads = [] -%}
    {%- for name in spec.get("fill_down") or [] -%}
        {%- do reads.append({"key": key ~ ".fill_down", "column": name | string}) -%}
    {%- endfor -%}
    {%- if spec.get("cancelled_when") -%}
        {%- for name in source_columns_read({"expression": spec.cancelled_when}) -%}
            {%- do reads.append({"key": key ~ ".cancelled_when", "column": name}) -%}
        {%- endfor -%}
    {%- endif -%}
    {%- for name, given in columns.items() -%}
        {%- if name not in types -%}
            {%- do problems.append(key ~ ".columns." ~ name ~ ": not a column of " ~ entity
                ~ " (known: " ~ types.keys() | join(", ") ~ ")") -%}
        {%- elif given is mapping and (given.keys() | list | length != 1
            or (given.keys() | list)[0] not in mapping_keys().column_forms) -%}
            {%- do problems.append(key ~ ".columns." ~ name ~ ": give one of "
                ~ mapping_keys().column_forms | join(", ") ~ " (got " ~ given.keys() | join(", ") ~ ")") -%}
        {%- elif given is not none -%}
            {%- for column in source_columns_read(given) -%}
                {%- do reads.append({"key": key ~ ".columns." ~ name, "column": column}) -%}
            {%- endfor -%}
        {%- endif -%}
    {%- endfor -%}
    {%- for read in reads if read.column not in header -%}
        {%- do problems.append(read.key ~ ": column '" ~ read.column ~ "' is not in " ~ where
            ~ " (header has: " ~ header | join(", ") ~ ")") -%}
    {%- endfor -%}
    {%- for column in canonical_entities()[entity]["columns"]
        if column.required and column.name not in columns
        and not (entity == "order_lines" and column.name == "line_number") -%}
        {%- do problems.append(key ~ ".columns." ~ column.name ~ ": required, not mapped (file " ~ where ~ ")") -%}
    {%- endfor -%}
    {%- if problems -%}{{ return(problems) }}{%- endif -%}
    {#- A typed column none of whose values parses: the format or separators are wrong. -#}
    {%- for name, given in columns.items() if given is not none and types[name] != "text"
        and "constant" not in column_form(given) -%}
        {%- set value = clean_text(mapped_column_sql(spec, given, types[name])) -%}
        {%- set check -%}
            select count(value), count({{ parse_typed("value", types[name]) }}), min(value)
            from (select {{ value }} as value from {{ relation }})
        {%- endset -%}
        {%- set counts = run_query(check).rows[0] -%}
        {%- if counts[0] > 0 and counts[1] == 0 -%}
            {%- set form = column_form(given) -%}
            {%- do problems.append(key ~ ".columns." ~ name ~ ": no value of "
                ~ (source_columns_read(given) | join(", ") or form.values() | join("")) ~ " in " ~ where
                ~ " parses as " ~ types[name]
                ~ (" with the formats " ~ (spec.get(types[name] ~ "_formats") or var(types[name] ~ "_formats")) | string
                    if types[name] in ("date", "timestamp") else
                   " (decimal_separator '" ~ spec.get("decimal_separator", ".") ~ "', thousands_separator '"
                    ~ (spec.get("thousands_separator") or "") ~ "')")
                ~ "; e.g. '" ~ counts[2] ~ "'") -%}
        {%- endif -%}
    {%- endfor -%}
    {#- Currencies: the shop's, or one with a rate. -#}
    {%- if entity == "order_lines" and columns.get("currency") and mapping.get("currency") -%}
        {%- set known = [mapping.currency] + (mapping.get("currency_rates") or {}).keys() | list -%}
        {%- set currency_check -%}
            select currency, count(*) from (
                select {{ clean_text(mapped_column_sql(spec, columns.currency, "text")) }} as currency
                from {{ relation }}
            )
            where currency is not null
                and currency not in ({% for code in known %}{{ sql_string(code) }}{{ ", " if not loop.last }}{% endfor %})
            group by currency order by currency
        {%- endset -%}
        {%- for row in run_query(currency_check).rows -%}
            {%- do problems.append(key ~ ".columns.currency: " ~ row[1] ~ " row(s) of " ~ where
                ~ " in " ~ row[0] ~ ", which is not the shop currency " ~ mapping.currency
                ~ " and has no currency_rates entry") -%}
        {%- endfor -%}
    {%- endif -%}
    {{ return(problems) }}
{% endmacro %}


{#- Stops the build, before any model, when the mapping has a problem. -#}
{% macro check_source_mapping() %}
    {%- set problems = source_mapping_problems() -%}
    {%- if problems -%}
        {{ exceptions.raise_compiler_error(
            "source_mapping " ~ source_mapping_path() ~ " cannot be used:\n  - "
            ~ problems | join("\n  - ")
            ~ "\n(raw_data_path = '" ~ var("raw_data_path", env_var("RAW_DATA_PATH", "data/demo"))
            ~ "'; the mapping's schema: docs/source_mapping.md)") }}
    {%- endif -%}
{% endmacro %}


{#- An entity the order lines can stand in for (customers, products, shipments): its mapped
    files when the mapping has them, else derived from base_mapped__order_lines. -#}
{% macro mapped_or_from_lines(entity) %}
{%- set spec = mapping_entity(source_mapping(), entity) -%}
{%- if spec.get("files") or spec.get("table") -%}
    {{ mapped_entity(entity) }}
{%- elif entity == "customers" -%}
    {{ customers_from_lines("base_mapped__order_lines", country_column="country") }}
{%- elif entity == "products" -%}
{#- one per product id, name, category and list price from its first line -#}
with order_lines as (

    select * from {{ ref("base_mapped__order_lines") }}

),

appearances as (

    select
        product_id,
        product_name,
        category,
        list_price,
        source_file,
        source_row_number,
        row_number() over (
            partition by {{ clean_text('product_id') }}
            order by source_row_number, source_file
        ) as appearance_number
    from order_lines
    where {{ clean_text('product_id') }} is not null

)

select * exclude (appearance_number)
from appearances
where appearance_number = 1
{%- elif entity == "shipments" -%}
{#- one per order with a delivery charge (staged on its first line only) -#}
with order_lines as (

    select * from {{ ref("base_mapped__order_lines") }}

)

select
    order_id,
    delivery_charge,
    cast(null as varchar) as promised_delivery_date,
    cast(null as varchar) as delivered_date,
    source_file,
    source_row_number
from order_lines
where delivery_charge is not null
{%- endif -%}
{% endmacro %}
