{#- One row per K-Means cluster: its size and the means of its customers' features. -#}
with segments as (

    select * from {{ ref('customer_segments') }}

),

features as (

    select * from {{ ref('customer_features') }}

),

totals as (

    select
        count(*) as total_customers,
        sum(monetary) as total_revenue
    from features

)

select
    -- ids
    segments.cluster_id,
    -- attributes
    segments.cluster_label,
    -- numerics
    count(*) as customers,
    count(*) * 1.0 / max(totals.total_customers) as customer_share,
    sum(features.monetary) as revenue,
    sum(features.monetary) / nullif(max(totals.total_revenue), 0) as revenue_share,
    avg(features.recency_days) as average_recency_days,
    avg(features.frequency) as average_frequency,
    avg(features.monetary) as average_monetary,
    avg(features.average_order_value) as average_order_value,
    avg(features.tenure_days) as average_tenure_days,
    avg(features.average_days_between_orders) as average_days_between_orders,
    avg(features.coupon_order_share) as average_coupon_order_share,
    avg(features.return_rate) as average_return_rate
from segments
inner join features
    on segments.customer_id = features.customer_id
cross join totals
group by segments.cluster_id, segments.cluster_label
