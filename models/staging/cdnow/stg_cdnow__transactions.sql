{#-
    The CDNOW transactions as canonical order lines: one order of one line per raw line. The
    file has no order numbers and no products, so:
    * order_id = `<customer_id>-<YYYYMMDD>-<n>`, n numbering the customer's lines of that day
      in file order (two identical lines on one day are two purchases, not a copy);
    * product_id = `cdnow_cds`, one placeholder product for every line (`base_cdnow__products`);
    * quantity = number of CDs and unit_price = dollar value / number of CDs, so that
      quantity x unit_price gives back the line's dollar value. Lines with 0 CDs or 0 dollars
      keep their raw values and are quarantined by the contract (`zero_quantity`,
      `non_positive_price`).
    The sample file's customer id is its `master_id` (the same customer in both files); its
    `sample_id` is kept as `sample_customer_id`. A line without the layout's number of fields
    is kept whole as its ordered_at, so that the contract quarantines it as `invalid_ordered_at`
    with the line in its raw record.
-#}
{%- set dataset = var('cdnow_dataset', 'master') -%}
{%- if dataset not in ['master', 'sample'] -%}
    {{ exceptions.raise_compiler_error(
        "cdnow: var cdnow_dataset must be 'master' or 'sample', got '" ~ dataset ~ "'") }}
{%- endif -%}
{#- the sample file has one more field in front: the customer's id in the sample -#}
{%- set offset = 1 if dataset == 'sample' else 0 %}

with source as (

    select * from {{ source('cdnow', 'transactions') }}

),

fields as (

    select
        line,
        string_split({{ clean_text('line') }}, ' ') as field_values,
        filename as source_file,
        row_number() over () as source_row_number
    from source

),

split as (

    select
        line,
        source_file,
        source_row_number,
        len(field_values) = {{ 4 + offset }} as is_well_formed,
        field_values[1] as customer_id,
        {% if offset %}field_values[2]{% else %}cast(null as varchar){% endif %} as sample_customer_id,
        field_values[{{ 2 + offset }}] as purchase_date,
        field_values[{{ 3 + offset }}] as number_of_cds,
        field_values[{{ 4 + offset }}] as dollar_value
    from fields

),

renamed as (

    select
        case
            when is_well_formed
                then concat_ws(
                    '-',
                    customer_id,
                    purchase_date,
                    row_number() over (
                        partition by customer_id, purchase_date, is_well_formed
                        order by source_row_number
                    )
                )
            else 'line-' || source_row_number
        end as order_id,
        '1' as line_number,
        case
            when is_well_formed
                then coalesce(
                    strftime(try_strptime(purchase_date, '%Y%m%d'), '%Y-%m-%d %H:%M:%S'),
                    purchase_date
                )
            else line
        end as ordered_at,
        case when is_well_formed then customer_id end as customer_id,
        case when is_well_formed then sample_customer_id end as sample_customer_id,
        'cdnow_cds' as product_id,
        case when is_well_formed then number_of_cds end as quantity,
        case
            when
                is_well_formed
                and try_cast(number_of_cds as integer) > 0
                and try_cast(dollar_value as double) is not null
                then cast(cast(dollar_value as double) / cast(number_of_cds as integer) as varchar)
            when is_well_formed then dollar_value
        end as unit_price,
        case when is_well_formed then dollar_value end as dollar_value,
        cast(null as varchar) as discount_pct,
        cast(null as varchar) as coupon_code,
        cast(null as varchar) as return_of_order_id,
        source_file,
        source_row_number
    from split

)

select * from renamed
