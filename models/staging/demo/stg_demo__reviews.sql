with source as (

    select * from {{ source('demo', 'reviews') }}

),

renamed as (

    select
        review_id,
        order_id,
        rating,
        reviewed_at,
        {{ source_file_name() }} as source_file,
        {{ source_row_number() }} as source_row_number
    from source

)

select * from renamed
