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
        {{ source_file_name() }} as source_file,
        {{ source_row_number() }} as source_row_number
    from source

)

select * from renamed
