with source as (

    select * from {{ source('demo', 'customers') }}

),

renamed as (

    select
        customer_id,
        signup_date,
        gender,
        country,
        city,
        filename as source_file,
        row_number() over () as source_row_number
    from source

)

select * from renamed
