with source as (

    select * from {{ source('olist', 'orders') }}

),

renamed as (

    select
        order_id,
        -- The order's customer record (one per order), not the person: see
        -- base_olist__customers.customer_unique_id.
        customer_id as order_customer_id,
        order_status,
        order_purchase_timestamp as ordered_at,
        order_approved_at as approved_at,
        order_delivered_carrier_date as delivered_carrier_at,
        order_delivered_customer_date as delivered_at,
        order_estimated_delivery_date as estimated_delivery_at,
        filename as source_file,
        row_number() over () as source_row_number
    from source

)

select * from renamed
