with source as (

    select * from {{ source('olist', 'customers') }}

),

renamed as (

    select
        customer_id as order_customer_id,
        customer_unique_id,
        customer_zip_code_prefix as zip_code_prefix,
        customer_city as city,
        customer_state as state,
        filename as source_file,
        row_number() over () as source_row_number
    from source

)

select * from renamed
