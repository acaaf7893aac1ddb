{#- One row per RFM segment and per value tier: size, revenue and its share, average R/F/M and
    the recommended action from the seed segment_actions (which marketing edits). -#}
with rfm as (

    select * from {{ ref('customer_rfm') }}

),

actions as (

    select * from {{ ref('segment_actions') }}

),

totals as (

    select
        count(*) as total_customers,
        sum(monetary) as total_revenue
    from rfm

),

segment_rows as (

    select
        'rfm_segment' as segment_type,
        rfm_segment as segment,
        r_score,
        f_score,
        m_score,
        recency_days,
        frequency,
        monetary
    from rfm

    union all

    select
        'value_tier' as segment_type,
        value_tier as segment,
        r_score,
        f_score,
        m_score,
        recency_days,
        frequency,
        monetary
    from rfm

),

segments as (

    select
        segment_type,
        segment,
        count(*) as customers,
        sum(monetary) as revenue,
        avg(r_score) as average_r_score,
        avg(f_score) as average_f_score,
        avg(m_score) as average_m_score,
        avg(recency_days) as average_recency_days,
        avg(frequency) as average_frequency,
        avg(monetary) as average_monetary
    from segment_rows
    group by segment_type, segment

),

-- Every segment of the seed (empty ones too) and any segment the seed lacks.
all_segments as (

    select
        coalesce(actions.segment_type, segments.segment_type) as segment_type,
        coalesce(actions.segment, segments.segment) as segment,
        actions.display_order,
        actions.definition,
        actions.recommended_action,
        segments.customers,
        segments.revenue,
        segments.average_r_score,
        segments.average_f_score,
        segments.average_m_score,
        segments.average_recency_days,
        segments.average_frequency,
        segments.average_monetary
    from actions
    full outer join segments
        on
            actions.segment_type = segments.segment_type
            and actions.segment = segments.segment

)

select
    -- ids
    all_segments.segment_type,
    all_segments.segment,
    -- attributes
    cast(all_segments.display_order as integer) as display_order,
    all_segments.definition,
    all_segments.recommended_action,
    -- numerics
    coalesce(all_segments.customers, 0) as customers,
    cast(coalesce(all_segments.customers, 0) as double) / nullif(totals.total_customers, 0)
        as customer_share,
    coalesce(all_segments.revenue, 0) as revenue,
    coalesce(all_segments.revenue, 0) / nullif(totals.total_revenue, 0) as revenue_share,
    all_segments.average_r_score,
    all_segments.average_f_score,
    all_segments.average_m_score,
    all_segments.average_recency_days,
    all_segments.average_frequency,
    all_segments.average_monetary
from all_segments
cross join totals
