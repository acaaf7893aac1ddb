with customers as (

    select * from {{ ref('int_customers_cleaned') }}

),

orders as (

    select * from {{ ref('fct_orders') }}

),

customer_orders as (

    select
        customer_id,
        min(case when not is_return then ordered_at end) as first_ordered_at,
        max(case when not is_return then ordered_at end) as last_ordered_at,
        count(case when not is_return then order_id end) as order_count,
        count(case when is_return then order_id end) as return_count,
        sum(case when not is_return then gross_amount else 0 end) as lifetime_gross_amount,
        sum(net_amount) as lifetime_net_amount
    from orders
    where customer_id is not null
    group by customer_id

),

-- Customers from the customer table, plus customers who only appear on orders.
all_customers as (

    select customer_id from customers
    union
    select customer_id from customer_orders

)

select
    -- ids
    all_customers.customer_id,
    -- dates
    customers.signup_date,
    customer_orders.first_ordered_at,
    customer_orders.last_ordered_at,
    cast(customer_orders.first_ordered_at as date) as first_order_date,
    cast(customer_orders.last_ordered_at as date) as last_order_date,
    -- attributes
    customers.gender,
    customers.country,
    customers.city,
    customers.customer_id is not null as has_profile,
    coalesce(customer_orders.order_count, 0) >= 2 as is_repeat_customer,
    -- numerics
    coalesce(customer_orders.order_count, 0) as order_count,
    coalesce(customer_orders.return_count, 0) as return_count,
    coalesce(customer_orders.lifetime_gross_amount, 0) as lifetime_gross_amount,
    coalesce(customer_orders.lifetime_net_amount, 0) as lifetime_net_amount
from all_customers
left join customers
    on all_customers.customer_id = customers.customer_id
left join customer_orders
    on all_customers.customer_id = customer_orders.customer_id
