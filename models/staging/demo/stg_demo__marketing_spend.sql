with source as (

    select * from {{ source('demo', 'marketing_spend') }}

),

renamed as (

    select
        spend_date,
        channel,
        spend,
        filename as source_file,
        row_number() over () as source_row_number
    from source

)

select * from renamed
