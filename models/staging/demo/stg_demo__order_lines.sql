with source as (

    select * from {{ source('demo', 'order_lines') }}

),

renamed as (

    select
        order_id,
        line_number,
        ordered_at,
        customer_id,
        product_id,
        quantity,
        unit_price,
        discount_pct,
        coupon_code,
        return_of_order_id,
        filename as source_file,
        row_number() over () as source_row_number
    from source

)

select * from renamed
