{#- One row per registered customer and calendar month in which they placed an order (sold or
    returned) before the as-of date, with the customer's cohort (month of the first order) and
    the month's offset from it. The cohort and acquisition marts roll up from it. -#}
with orders as (

    select * from {{ ref('fct_orders') }}

),

as_of as (

    select as_of_date from {{ ref('int_as_of_date') }}

),

customer_orders as (

    select
        orders.customer_id,
        orders.is_return,
        orders.net_amount,
        cast({{ dbt.date_trunc('month', 'orders.order_date') }} as date) as activity_month
    from orders
    cross join as_of
    where
        orders.customer_id is not null
        and orders.order_date < as_of.as_of_date

),

cohorts as (

    select
        customer_id,
        min(activity_month) as cohort_month
    from customer_orders
    where not is_return
    group by customer_id

),

monthly as (

    select
        customer_orders.customer_id,
        cohorts.cohort_month,
        customer_orders.activity_month,
        count(case when not customer_orders.is_return then 1 end) as orders,
        sum(customer_orders.net_amount) as net_revenue
    from customer_orders
    inner join cohorts
        on customer_orders.customer_id = cohorts.customer_id
    group by
        customer_orders.customer_id,
        cohorts.cohort_month,
        customer_orders.activity_month

)

select
    -- ids
    customer_id,
    -- dates
    cohort_month,
    activity_month,
    -- attributes
    {{ dbt.datediff('cohort_month', 'activity_month', 'month') }}
        as months_since_first_order,
    orders > 0 as is_active,
    -- numerics
    orders,
    net_revenue
from monthly
