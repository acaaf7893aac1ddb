with source as (

    select * from {{ source('demo', 'retention_offers') }}

),

renamed as (

    select
        customer_id,
        offered_date,
        experiment_group,
        coupon_code,
        {{ source_file_name() }} as source_file,
        {{ source_row_number() }} as source_row_number
    from source

)

select * from renamed
