with source as (

    select * from {{ source('marketing_insights', 'customers_data') }}

),

renamed as (

    select
        customerid as customer_id,
        -- No signup date; Tenure_Months has no canonical column (and no reference date).
        cast(null as {{ dbt.type_string() }}) as signup_date,
        -- F / M in the canonical spelling; anything else as it came.
        case upper(trim(gender))
            when 'F' then 'female'
            when 'M' then 'male'
            else gender
        end as gender,
        -- Every location is in the United States (states and cities mixed): city is the
        -- finest place the export gives.
        'United States' as country,
        location as city,
        tenure_months,
        filename as source_file,
        row_number() over () as source_row_number
    from source

)

select * from renamed
