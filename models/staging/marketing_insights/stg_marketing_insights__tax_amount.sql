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
    -- Tax_amount.csv and Tax_amount.csv.gz side by side: stop rather than read it twice.
    qualify
        count(distinct filename) over () = 1
        or error(
            'marketing_insights: one file per table, found: '
            || array_to_string(list_sort(list(distinct filename) over ()), ', ')
        )

)

select * from renamed
