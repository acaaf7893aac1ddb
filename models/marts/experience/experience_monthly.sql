{#- Customer experience by month of order: on-time delivery and the NPS proxy from review
    scores (promoters 5, passives 4, detractors 1-3). One row per month with orders before the
    as-of date. -#}
with orders as (

    select * from {{ ref('int_order_experience') }}

),

monthly as (

    select
        order_month,
        count(*) as orders,
        count(case when is_delivered then 1 end) as delivered_orders,
        count(case when is_late_delivery = false then 1 end) as on_time_orders,
        count(case when is_late_delivery then 1 end) as late_orders,
        avg(delivery_delay_days) as average_delivery_delay_days,
        count(review_rating) as reviewed_orders,
        avg(review_rating) as average_review_rating,
        count(case when review_group = 'promoter' then 1 end) as promoters,
        count(case when review_group = 'passive' then 1 end) as passives,
        count(case when review_group = 'detractor' then 1 end) as detractors
    from orders
    group by order_month

)

select
    -- ids
    order_month as month_start_date,
    -- numerics
    orders,
    delivered_orders,
    on_time_orders,
    late_orders,
    cast(on_time_orders as double) / nullif(on_time_orders + late_orders, 0)
        as on_time_delivery_rate,
    average_delivery_delay_days,
    reviewed_orders,
    average_review_rating,
    promoters,
    passives,
    detractors,
    cast(promoters as double) / nullif(reviewed_orders, 0) as promoter_share,
    cast(detractors as double) / nullif(reviewed_orders, 0) as detractor_share,
    cast(promoters - detractors as double) / nullif(reviewed_orders, 0) as nps_proxy
from monthly
