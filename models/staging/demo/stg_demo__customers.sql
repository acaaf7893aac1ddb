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
        {{ source_file_name() }} as source_file,
        {{ source_row_number() }} as source_row_number
    from source

)

select * from renamed
