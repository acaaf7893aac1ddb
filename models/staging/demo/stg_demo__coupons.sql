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
        filename as source_file,
        row_number() over () as source_row_number
    from source

)

select * from renamed
