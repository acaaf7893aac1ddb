with source as (

    select * from {{ source('demo', 'tax_rates') }}

),

renamed as (

    select
        category,
        tax_rate,
        filename as source_file,
        row_number() over () as source_row_number
    from source

)

select * from renamed
