with source as (

    select * from {{ source('demo', 'retention_offers') }}

),

renamed as (

    select
        customer_id,
        offered_date,
        experiment_group,
        coupon_code,
        filename as source_file,
        row_number() over () as source_row_number
    from source

)

select * from renamed
