{#- One row per registered customer with a (non-return) order before the as-of date: their
    order history as of that date, whether they have churned (no order in the last
    `churn_window_days` days) and how their deliveries went. -#}
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
        row_number() over (
            partition by orders.customer_id
            order by orders.ordered_at, orders.order_id
        ) as order_rank
    from orders
    cross join as_of
    where
        orders.customer_id is not null
        and not orders.is_return
        and orders.order_date < as_of.as_of_date

),

customers as (

    select
        customer_id,
        as_of_date,
        min(order_date) as first_order_date,
        max(order_date) as last_order_date,
        count(*) as order_count,
        count(case when is_late_delivery and delivered_date < as_of_date then 1 end)
            as late_delivery_count,
        max(case
            when order_rank = 1 and is_late_delivery then 'late'
            when order_rank = 1 and not is_late_delivery then 'on_time'
            when order_rank = 1 and not is_delivered and promised_delivery_date is not null
                then 'not_delivered'
            when order_rank = 1 then 'unknown'
        end) as first_order_delivery
    from sold
    group by customer_id, as_of_date

),

measured as (

    select
        *,
        {{ dbt.datediff('last_order_date', 'as_of_date', 'day') }}
            as days_since_last_order,
        {{ dbt.datediff('first_order_date', 'last_order_date', 'day') }}
            as active_days
    from customers

)

select
    -- ids
    customer_id,
    -- dates
    first_order_date,
    last_order_date,
    as_of_date,
    -- attributes
    first_order_delivery,
    late_delivery_count > 0 as has_late_delivery,
    order_count >= 2 as is_repeat_customer,
    days_since_last_order > {{ var('churn_window_days') }} as is_churned,
    -- numerics
    order_count,
    late_delivery_count,
    days_since_last_order,
    case
        when order_count >= 2 then cast(active_days as double) / (order_count - 1)
    end as average_days_between_orders
from measured
