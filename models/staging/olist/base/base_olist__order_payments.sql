with source as (

    select * from {{ source('olist', 'order_payments') }}

),

renamed as (

    select
        order_id,
        payment_sequential,
        payment_type,
        payment_installments,
        payment_value,
        filename as source_file,
        row_number() over () as source_row_number
    from source

)

select * from renamed
