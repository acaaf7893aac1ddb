{#- RFM scores, code, named segment, value tier and value band per customer (see the docs block
    customer_segmentation for the scoring rule). -#}
with features as (

    select * from {{ ref('customer_features') }}

),

segment_map as (

    select * from {{ ref('rfm_segment_map') }}

),

-- Each customer's position: how many customers are strictly worse on the measure (rank() - 1,
-- so customers tied on a value share its lowest position). Recency is reversed: more days
-- since the latest purchase is worse.
positions as (

    select
        customer_id,
        recency_days,
        frequency,
        monetary,
        count(*) over () as customer_count,
        rank() over (order by recency_days desc) - 1 as recency_worse,
        rank() over (order by frequency) - 1 as frequency_worse,
        -- Ranked to the cent: sums of doubles differ in the last bits from run to run.
        rank() over (order by round(monetary, 2)) - 1 as monetary_worse
    from features

),

-- Score = 1 + floor(5 x share of customers strictly worse): quintiles, ties kept together.
scored as (

    select
        customer_id,
        recency_days,
        frequency,
        monetary,
        cast(1 + floor(5.0 * recency_worse / customer_count) as integer) as r_score,
        cast(1 + floor(5.0 * frequency_worse / customer_count) as integer) as f_score,
        cast(1 + floor(5.0 * monetary_worse / customer_count) as integer) as m_score,
        cast(monetary_worse as double) / customer_count as monetary_percentile
    from positions

)

select
    -- ids
    scored.customer_id,
    -- attributes
    cast(scored.r_score as {{ dbt.type_string() }})
    || cast(scored.f_score as {{ dbt.type_string() }})
    || cast(scored.m_score as {{ dbt.type_string() }}) as rfm_code,
    segment_map.rfm_segment,
    case
        when scored.monetary_percentile >= 1 - {{ var('value_tier_premium_share') }}
            then 'Premium'
        when scored.monetary_percentile >= 1 - {{ var('value_tier_gold_share') }}
            then 'Gold'
        when scored.monetary_percentile >= 1 - {{ var('value_tier_silver_share') }}
            then 'Silver'
        else 'Standard'
    end as value_tier,
    case
        when scored.m_score = 5 then 'high'
        when scored.m_score >= 3 then 'mid'
        else 'low'
    end as value_band,
    -- numerics
    scored.r_score,
    scored.f_score,
    scored.m_score,
    scored.recency_days,
    scored.frequency,
    scored.monetary,
    scored.monetary_percentile
from scored
left join segment_map
    on
        scored.r_score = segment_map.r_score
        and scored.f_score = segment_map.f_score
