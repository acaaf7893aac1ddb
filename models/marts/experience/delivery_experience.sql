{#- How delivery goes and what it does to reviews and to customers coming back: one row per
    delivery outcome (early, on time, late by 1-2 / 3-5 / 6+ days, not delivered, no delivery
    data), over the orders placed before the as-of date. -#}
with orders as (

    select * from {{ ref('int_order_experience') }}

),

outcomes as (

    select
        outcome.delivery_outcome,
        outcome.sort_order
    from (
        values
        ('early', 1),
        ('on_time', 2),
        ('late_1_2_days', 3),
        ('late_3_5_days', 4),
        ('late_6_plus_days', 5),
        ('not_delivered', 6),
        ('no_delivery_data', 7)
    ) as outcome (delivery_outcome, sort_order)

),

summary as (

    select
        delivery_outcome,
        count(*) as orders,
        count(review_rating) as reviewed_orders,
        avg(review_rating) as average_review_rating,
        count(case when review_group = 'promoter' then 1 end) as promoters,
        count(case when review_group = 'passive' then 1 end) as passives,
        count(case when review_group = 'detractor' then 1 end) as detractors,
        avg(delivery_delay_days) as average_delivery_delay_days,
        count(case when is_churn_observable then 1 end) as churn_observable_orders,
        count(case when is_churn_observable and is_reordered_within_window then 1 end)
            as reordered_orders,
        count(case when is_churn_observable and is_followed_by_churn then 1 end)
            as churned_after_orders
    from orders
    group by delivery_outcome

),

totals as (

    select count(*) as orders from orders

)

select
    -- ids
    outcomes.delivery_outcome,
    -- attributes
    outcomes.sort_order,
    outcomes.delivery_outcome like 'late%' as is_late,
    -- numerics
    cast({{ var('churn_window_days') }} as {{ dbt.type_bigint() }}) as churn_window_days,
    coalesce(summary.orders, 0) as orders,
    coalesce(summary.orders, 0) / nullif(totals.orders, 0) as order_share,
    summary.average_delivery_delay_days,
    coalesce(summary.reviewed_orders, 0) as reviewed_orders,
    summary.average_review_rating,
    coalesce(summary.promoters, 0) as promoters,
    coalesce(summary.passives, 0) as passives,
    coalesce(summary.detractors, 0) as detractors,
    cast(summary.promoters - summary.detractors as double)
    / nullif(summary.reviewed_orders, 0) as nps_proxy,
    coalesce(summary.churn_observable_orders, 0) as churn_observable_orders,
    coalesce(summary.reordered_orders, 0) as reordered_orders,
    cast(summary.reordered_orders as double) / nullif(summary.churn_observable_orders, 0)
        as reorder_rate,
    coalesce(summary.churned_after_orders, 0) as churned_after_orders,
    cast(summary.churned_after_orders as double) / nullif(summary.churn_observable_orders, 0)
        as churn_after_order_rate
from outcomes
cross join totals
left join summary
    on outcomes.delivery_outcome = summary.delivery_outcome
