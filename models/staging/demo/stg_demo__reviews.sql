with source as (

    select * from {{ source('demo', 'reviews') }}

),

renamed as (

    select
        review_id,
        order_id,
        rating,
        reviewed_at,
        filename as source_file,
        row_number() over () as source_row_number
    from source

)

select * from renamed
