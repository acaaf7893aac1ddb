{#- Churn, repeat purchase and purchase frequency as of the as-of date, for all customers and
    by delivery experience. One row per segment. -#}
with customers as (

    select * from {{ ref('int_customer_churn_status') }}

),

segmented as (

    select
        'all' as segment_type,
        'all' as segment,
        as_of_date,
        is_churned,
        is_repeat_customer,
        order_count,
        average_days_between_orders,
        days_since_last_order
    from customers
    union all
    select
        'first_order_delivery' as segment_type,
        first_order_delivery as segment,
        as_of_date,
        is_churned,
        is_repeat_customer,
        order_count,
        average_days_between_orders,
        days_since_last_order
    from customers
    union all
    select
        'any_late_delivery' as segment_type,
        case when has_late_delivery then 'late' else 'never_late' end as segment,
        as_of_date,
        is_churned,
        is_repeat_customer,
        order_count,
        average_days_between_orders,
        days_since_last_order
    from customers

)

select
    -- ids
    segment_type,
    segment,
    -- dates
    max(as_of_date) as as_of_date,
    -- numerics
    cast({{ var('churn_window_days') }} as {{ dbt.type_bigint() }}) as churn_window_days,
    count(*) as customers,
    count(case when is_churned then 1 end) as churned_customers,
    avg(case when is_churned then 1 else 0 end) as churn_rate,
    count(case when is_repeat_customer then 1 end) as repeat_customers,
    avg(case when is_repeat_customer then 1 else 0 end) as repeat_purchase_rate,
    avg(cast(order_count as double)) as average_orders_per_customer,
    avg(average_days_between_orders) as average_days_between_purchases,
    avg(cast(days_since_last_order as double)) as average_days_since_last_order
from segmented
group by segment_type, segment
