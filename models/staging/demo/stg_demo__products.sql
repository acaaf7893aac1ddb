with source as (

    select * from {{ source('demo', 'products') }}

),

renamed as (

    select
        product_id,
        product_name,
        category,
        list_price,
        filename as source_file,
        row_number() over () as source_row_number
    from source

)

select * from renamed
