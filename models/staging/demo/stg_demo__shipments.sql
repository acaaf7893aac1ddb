with source as (

    select * from {{ source('demo', 'shipments') }}

),

renamed as (

    select
        order_id,
        delivery_charge,
        promised_delivery_date,
        delivered_date,
        {{ source_file_name() }} as source_file,
        {{ source_row_number() }} as source_row_number
    from source

)

select * from renamed
