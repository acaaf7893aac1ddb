with source as (

    select * from {{ source('demo', 'tax_rates') }}

),

renamed as (

    select
        category,
        tax_rate,
        {{ source_file_name() }} as source_file,
        {{ source_row_number() }} as source_row_number
    from source

)

select * from renamed
