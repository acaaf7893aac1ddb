with source as (

    select * from {{ source('olist', 'order_items') }}

),

renamed as (

    select
        order_id,
        order_item_id as line_number,
        product_id,
        seller_id,
        shipping_limit_date as shipping_limit_at,
        price as unit_price,
        freight_value,
        filename as source_file,
        row_number() over () as source_row_number
    from source

)

select * from renamed
