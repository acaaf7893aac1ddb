with source as (

    select * from {{ source('demo', 'shipments') }}

),

renamed as (

    select
        order_id,
        delivery_charge,
        promised_delivery_date,
        delivered_date,
        filename as source_file,
        row_number() over () as source_row_number
    from source

)

select * from renamed
