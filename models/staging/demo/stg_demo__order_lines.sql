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
        -- The demo shop has no order status: a return line is `returned`, any other `completed`.
        case
            when nullif(trim(return_of_order_id), '') is not null then 'returned'
            else 'completed'
        end as order_status,
        {{ source_file_name() }} as source_file,
        {{ source_row_number() }} as source_row_number
    from source

)

select * from renamed
