with source as (

    select * from {{ source('demo', 'coupons') }}

),

renamed as (

    select
        coupon_code,
        category,
        discount_pct,
        valid_from,
        valid_to,
        {{ source_file_name() }} as source_file,
        {{ source_row_number() }} as source_row_number
    from source

)

select * from renamed
