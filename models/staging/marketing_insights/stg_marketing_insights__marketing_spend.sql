{#-
    Canonical marketing spend: each raw Marketing_Spend row (one day, one column per channel)
    becomes two rows, channel `offline` and `online`. source_row_number must stay unique per
    file, so it numbers the unpivoted rows: 2n - 1 (offline) and 2n (online) for raw row n.
-#}
with spend as (

    select * from {{ ref('base_marketing_insights__marketing_spend') }}

),

unpivoted as (

    select
        spend_date,
        'offline' as channel,
        offline_spend as spend,
        source_file,
        2 * source_row_number - 1 as source_row_number
    from spend
    union all
    select
        spend_date,
        'online' as channel,
        online_spend as spend,
        source_file,
        2 * source_row_number as source_row_number
    from spend

)

select * from unpivoted
