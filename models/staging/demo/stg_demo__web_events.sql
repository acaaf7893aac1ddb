with source as (

    select * from {{ source('demo', 'web_events') }}

),

renamed as (

    select
        event_id,
        session_id,
        event_at,
        customer_id,
        event_type,
        product_id,
        order_id,
        filename as source_file,
        row_number() over () as source_row_number
    from source

)

select * from renamed
