with source as (

    select * from {{ source('olist', 'product_category_name_translation') }}

),

renamed as (

    select
        product_category_name as category_portuguese,
        product_category_name_english as category_english,
        filename as source_file,
        row_number() over () as source_row_number
    from source

)

select * from renamed
