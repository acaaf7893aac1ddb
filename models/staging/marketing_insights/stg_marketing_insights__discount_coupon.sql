with source as (

    select * from {{ source('marketing_insights', 'discount_coupon') }}

),

renamed as (

    select
        month,
        -- The raw header is `Product_Category ` (trailing space); DuckDB trims header names.
        product_category as category,
        coupon_code,
        discount_pct as discount_percent,
        filename as source_file,
        row_number() over () as source_row_number
    from source

)

select * from renamed
