{#-
    The CDNOW transactions as canonical order lines: one order of one line per raw line. The
    file has no order numbers and no products, so:
    * order_id = `<customer_id>-<YYYYMMDD>-<n>`, n numbering the customer's lines of that day
      in file order (two identical lines on one day are two purchases, not a copy);
    * product_id = `cdnow_cds`, one placeholder product for every line (`stg_cdnow__products`);
    * quantity = number of CDs and unit_price = dollar value / number of CDs, so that
      quantity x unit_price gives back the line's dollar value. Lines with 0 CDs or 0 dollars
      keep their raw values and are quarantined by the contract (`zero_quantity`,
      `non_positive_price`).
    The sample file's customer id is its `master_id` (the same customer in both files); its
    `sample_id` is kept as `sample_customer_id`. Fields are taken by position: a short line
    lacks its last values (quarantined as `missing_<column>`), a long one keeps its extra
    fields in the dollar value (`invalid_unit_price`); a date that is not 8 digits
    `YYYYMMDD` stays as it came (`invalid_ordered_at`).
-#}
{%- set dataset = var('cdnow_dataset', 'master') -%}
{%- if dataset not in ['master', 'sample'] -%}
    {{ exceptions.raise_compiler_error(
        "cdnow: var cdnow_dataset must be 'master' or 'sample', got '" ~ dataset ~ "'") }}
{%- endif -%}
{#- the sample file has one more field in front: the customer's id in the sample -#}
{%- set offset = 1 if dataset == 'sample' else 0 -%}
{%- set date_field = 'field_values[' ~ (2 + offset) ~ ']' %}

with source as (

    select * from {{ source('cdnow', 'transactions') }}

),

fields as (

    select
        string_split({{ clean_text('line') }}, ' ') as field_values,
        filename as source_file,
        row_number() over () as source_row_number
    from source

),

split as (

    select
        source_file,
        source_row_number,
        field_values[1] as customer_id,
        {% if offset %}field_values[2]{% else %}cast(null as varchar){% endif %} as sample_customer_id,
        {{ date_field }} as purchase_date,
        -- only 8 digits: strptime alone would also read '1997013' as 3 January
        case
            when regexp_full_match({{ date_field }}, '[0-9]{8}')
                then strftime(try_strptime({{ date_field }}, '%Y%m%d'), '%Y-%m-%d %H:%M:%S')
        end as iso_purchase_date,
        field_values[{{ 3 + offset }}] as number_of_cds,
        -- a line with extra fields keeps them in its dollar value, which then does not parse
        nullif(array_to_string(field_values[{{ 4 + offset }}:], ' '), '') as dollar_value
    from fields

),

renamed as (

    select
        concat_ws(
            '-',
            customer_id,
            purchase_date,
            row_number() over (
                partition by customer_id, purchase_date
                order by source_row_number
            )
        ) as order_id,
        '1' as line_number,
        coalesce(iso_purchase_date, purchase_date) as ordered_at,
        customer_id,
        sample_customer_id,
        'cdnow_cds' as product_id,
        number_of_cds as quantity,
        case
            when
                try_cast(number_of_cds as integer) > 0
                and try_cast(dollar_value as double) is not null
                then cast(cast(dollar_value as double) / cast(number_of_cds as integer) as varchar)
            else dollar_value
        end as unit_price,
        dollar_value,
        cast(null as varchar) as discount_pct,
        cast(null as varchar) as coupon_code,
        cast(null as varchar) as return_of_order_id,
        -- CDNOW records purchases only.
        'completed' as order_status,
        source_file,
        source_row_number
    from split

)

select * from renamed
