with source as (

    select * from {{ source('demo', 'products') }}

),

renamed as (

    select
        product_id,
        product_name,
        category,
        list_price,
        {{ source_file_name() }} as source_file,
        {{ source_row_number() }} as source_row_number
    from source

)

select * from renamed
