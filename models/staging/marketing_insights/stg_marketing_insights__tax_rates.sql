with source as (

    select * from {{ source('marketing_insights', 'tax_amount') }}

),

renamed as (

    select
        product_category as category,
        gst as tax_rate,
        filename as source_file,
        row_number() over () as source_row_number
    from source

)

select * from renamed
