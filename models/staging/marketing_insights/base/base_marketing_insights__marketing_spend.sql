with source as (

    select * from {{ source('marketing_insights', 'marketing_spend') }}

),

renamed as (

    select
        -- M/D/YYYY as ISO text; a value that is no such date stays as it came (quarantined).
        coalesce(
            strftime(try_strptime(trim(date), '%m/%d/%Y'), '%Y-%m-%d'),
            date
        ) as spend_date,
        offline_spend,
        online_spend,
        filename as source_file,
        row_number() over () as source_row_number
    from source

)

select * from renamed
