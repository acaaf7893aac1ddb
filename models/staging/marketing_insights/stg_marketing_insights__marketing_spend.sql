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
    -- Marketing_Spend.csv and Marketing_Spend.csv.gz side by side: stop rather than read twice.
    qualify
        count(distinct filename) over () = 1
        or error(
            'marketing_insights: one file per table, found: '
            || array_to_string(list_sort(list(distinct filename) over ()), ', ')
        )

)

select * from renamed
