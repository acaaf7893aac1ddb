with source as (

    select * from {{ source('olist', 'products') }}

),

renamed as (

    select
        product_id,
        product_category_name as category_portuguese,
        -- sic: the source spells "length" as "lenght".
        product_name_lenght as product_name_length,
        product_description_lenght as product_description_length,
        product_photos_qty as photo_count,
        product_weight_g as weight_g,
        product_length_cm as length_cm,
        product_height_cm as height_cm,
        product_width_cm as width_cm,
        filename as source_file,
        row_number() over () as source_row_number
    from source

)

select * from renamed
