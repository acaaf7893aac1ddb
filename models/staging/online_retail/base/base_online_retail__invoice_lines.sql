{#-
    The invoice lines of every Online Retail layout, renamed to the canonical order line columns.
    Three things depend on the file and are settled when the model compiles:
    * column names, looked up in the header: `InvoiceNo` / `Invoice`, `UnitPrice` / `Price`,
      `CustomerID` / `Customer ID` (a header with neither stops the build here, naming the
      columns it has);
    * encoding (var `online_retail_encoding`, default `auto`): the source reads the file as
      latin-1, which cannot fail; UTF-8 text read that way shows its multi-byte characters as
      pairs such as `Â£` (or starts with the byte-order mark `ï»¿`), and then the file is
      read again as UTF-8;
    * timestamps not in ISO form (Kaggle's `12/1/2010 8:26`) are rewritten as ISO text with
      the formats in `online_retail_timestamp_formats`; a value matching none stays as it came,
      so that the contract quarantines it as invalid.
    Lines are numbered within their invoice in file order (the export has no line number).
-#}
{#- A table, not a view like other staging models: the lines feed three entities and the row
    reconciliation, and re-reading (and re-detecting) a 48 MB CSV for each costs more than
    storing it once. -#}
{{ config(materialized='table') }}
{%- set source_relation = source('online_retail', 'invoice_lines') | string -%}
{%- set relation = source_relation -%}
{#- Each raw column under the name(s) it has in the layouts; the first found is used. -#}
{%- set name_options = {
    'invoice': ['InvoiceNo', 'Invoice'],
    'stock_code': ['StockCode'],
    'description': ['Description'],
    'quantity': ['Quantity'],
    'invoice_date': ['InvoiceDate'],
    'price': ['UnitPrice', 'Price'],
    'customer': ['CustomerID', 'Customer ID'],
    'country': ['Country'],
} -%}
{%- set names = {} -%}
{%- for key, options in name_options.items() -%}
    {%- do names.update({key: options[0]}) -%}
{%- endfor -%}
{%- set timestamp_formats = var(
    'online_retail_timestamp_formats', ['%m/%d/%Y %H:%M', '%m/%d/%Y %H:%M:%S']
) -%}

{%- if execute -%}
    {%- set header_query -%}
        select
            column_name,
            -- a UTF-8 byte-order mark read as latin-1
            starts_with(column_name, chr(239) || chr(187) || chr(191)) as has_bom,
            replace(column_name, chr(239) || chr(187) || chr(191), '') as header_name
        from (describe select * from {{ source_relation }})
    {%- endset -%}
    {%- set header_rows = run_query(header_query).rows -%}
    {%- set header = header_rows | map(attribute='header_name') | list -%}
    {%- for key, options in name_options.items() -%}
        {%- set found = options | select('in', header) | list -%}
        {%- if not found -%}
            {{ exceptions.raise_compiler_error(
                "online_retail: the raw file(s) " ~ source_relation.split("'")[1]
                ~ " have no column " ~ options | join(" or ")
                ~ " (header has: " ~ header | reject('equalto', 'filename') | join(", ") ~ ")") }}
        {%- endif -%}
        {%- do names.update({key: found[0]}) -%}
    {%- endfor -%}

    {%- set encoding = var('online_retail_encoding', 'auto') -%}
    {%- if encoding == 'auto' -%}
        {%- set encoding = 'latin-1' -%}
        {%- set looks_utf8_query -%}
            select count(*) from (
                select 1
                from {{ source_relation }}
                where regexp_matches("{{ names.description }}", '[\xC2-\xF4][\x80-\xBF]')
                limit 1
            )
        {%- endset -%}
        {%- if header_rows | selectattr('has_bom') | list
            or run_query(looks_utf8_query).columns[0].values()[0] > 0 -%}
            {%- set encoding = 'utf-8' -%}
        {%- endif -%}
        {%- set relation = source_relation | replace(
            "encoding = 'latin-1'", "encoding = '" ~ encoding ~ "'") -%}
    {%- endif -%}
{%- endif %}

with source as (

    select * from {{ relation }}

),

numbered as (

    select
        *,
        row_number() over () as source_row_number
    from source

),

renamed as (

    select
        "{{ names.invoice }}" as order_id,
        cast(row_number() over (
            partition by {{ clean_text('"' ~ names.invoice ~ '"') }}
            order by source_row_number
        ) as varchar) as line_number,
        coalesce(
            strftime(
                {{ try_parse_timestamp(
                    clean_text('"' ~ names.invoice_date ~ '"'), timestamp_formats
                ) }},
                '%Y-%m-%d %H:%M:%S'
            ),
            "{{ names.invoice_date }}"
        ) as ordered_at,
        -- 17850.0 -> 17850
        regexp_replace("{{ names.customer }}", '\.0+\s*$', '') as customer_id,
        "{{ names.stock_code }}" as product_id,
        "{{ names.description }}" as product_name,
        "{{ names.quantity }}" as quantity,
        "{{ names.price }}" as unit_price,
        cast(null as varchar) as discount_pct,
        cast(null as varchar) as coupon_code,
        -- cancellations do not say which invoice they cancel
        cast(null as varchar) as return_of_order_id,
        -- No order status in the export: a cancellation (negative quantity) is `returned`.
        case
            when try_cast(trim("{{ names.quantity }}") as double) < 0 then 'returned'
            else 'completed'
        end as order_status,
        "{{ names.country }}" as country,
        filename as source_file,
        source_row_number
    from numbered

)

select * from renamed
