{#- One row per (non-return) order placed before the as-of date: how it was delivered and
    reviewed, and whether its customer came back afterwards. An order is "observable" for
    churn when more than `churn_window_days` days separate it from the as-of date; it is
    followed by churn when its customer placed no later order before the as-of date. -#}
with orders as (

    select * from {{ ref('fct_orders') }}

),

as_of as (

    select as_of_date from {{ ref('int_as_of_date') }}

),

sold as (

    select
        orders.*,
        as_of.as_of_date,
        lead(orders.order_date) over (
            partition by orders.customer_id
            order by orders.ordered_at, orders.order_id
        ) as next_order_date
    from orders
    cross join as_of
    where
        not orders.is_return
        and orders.order_date < as_of.as_of_date

),

measured as (

    select
        *,
        customer_id is not null
        and {{ dbt.datediff('order_date', 'as_of_date', 'day') }}
        > {{ var('churn_window_days') }} as is_churn_observable,
        {{ dbt.datediff('order_date', 'next_order_date', 'day') }}
            as days_to_next_order
    from sold

)

select
    -- ids
    order_id,
    customer_id,
    -- dates
    order_date,
    cast({{ dbt.date_trunc('month', 'order_date') }} as date) as order_month,
    promised_delivery_date,
    delivered_date,
    case when customer_id is not null then next_order_date end as next_order_date,
    -- attributes
    case
        -- no shipment, or one without dates (some sources only export delivery charges)
        when
            is_delivered is null
            or (promised_delivery_date is null and delivered_date is null)
            then 'no_delivery_data'
        when not is_delivered then 'not_delivered'
        when delivery_delay_days < 0 then 'early'
        when delivery_delay_days = 0 then 'on_time'
        when delivery_delay_days <= 2 then 'late_1_2_days'
        when delivery_delay_days <= 5 then 'late_3_5_days'
        else 'late_6_plus_days'
    end as delivery_outcome,
    is_delivered,
    is_late_delivery,
    case
        when review_rating >= 5 then 'promoter'
        when review_rating >= 4 then 'passive'
        when review_rating is not null then 'detractor'
    end as review_group,
    is_churn_observable,
    case
        when customer_id is not null then is_churn_observable and next_order_date is null
    end as is_followed_by_churn,
    case
        when customer_id is not null
            then coalesce(days_to_next_order <= {{ var('churn_window_days') }}, false)
    end as is_reordered_within_window,
    -- numerics
    delivery_delay_days,
    review_rating,
    net_amount
from measured
