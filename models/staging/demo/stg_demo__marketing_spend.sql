with source as (

    select * from {{ source('demo', 'marketing_spend') }}

),

renamed as (

    select
        spend_date,
        channel,
        spend,
        {{ source_file_name() }} as source_file,
        {{ source_row_number() }} as source_row_number
    from source

)

select * from renamed
