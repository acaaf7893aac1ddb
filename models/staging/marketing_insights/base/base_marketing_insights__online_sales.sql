with source as (

    select * from {{ source('marketing_insights', 'online_sales') }}

),

renamed as (

    select
        transaction_id as order_id,
        -- YYYYMMDD (eight digits) as ISO text; any other value stays as it came, so that the
        -- contract quarantines it as invalid_ordered_at.
        coalesce(
            case
                when regexp_full_match(trim(transaction_date), '[0-9]{8}')
                    then strftime(try_strptime(trim(transaction_date), '%Y%m%d'), '%Y-%m-%d')
            end,
            transaction_date
        ) as ordered_at,
        customerid as customer_id,
        product_sku as product_id,
        product_description as product_name,
        product_category as category,
        quantity,
        avg_price as unit_price,
        delivery_charges as delivery_charge,
        coupon_status,
        filename as source_file,
        row_number() over () as source_row_number
    from source

),

-- The export has no line numbers: number the lines of each transaction in file order.
numbered as (

    select
        *,
        cast(
            row_number() over (partition by order_id order by source_row_number)
            as {{ dbt.type_string() }}
        ) as line_number
    from renamed

)

select * from numbered
