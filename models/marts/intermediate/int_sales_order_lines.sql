{#- The clean order lines with what the KPI marts group and classify them by: the customer's
    first order date and country, and the order's number in the customer's history. One row per
    order line, so that every period and every dimension rolls up from the same rows. -#}
with order_lines as (

    select * from {{ ref('fct_order_lines') }}

),

orders as (

    select * from {{ ref('fct_orders') }}

),

customers as (

    select * from {{ ref('dim_customers') }}

)

select
    -- ids
    order_lines.order_line_id,
    order_lines.order_id,
    order_lines.customer_id,
    order_lines.product_id,
    order_lines.coupon_code,
    -- dates
    order_lines.ordered_at,
    order_lines.order_date,
    customers.first_order_date as customer_first_order_date,
    -- attributes
    coalesce(order_lines.category, 'Unknown') as category,
    case
        when order_lines.is_guest then 'Guest'
        else coalesce(customers.country, 'Unknown')
    end as country,
    order_lines.is_return,
    order_lines.is_guest,
    order_lines.coupon_code is not null as has_coupon,
    orders.customer_order_number,
    -- numerics
    order_lines.quantity,
    order_lines.unit_price,
    order_lines.gross_amount,
    order_lines.discount_amount,
    order_lines.net_amount,
    order_lines.tax_amount,
    order_lines.delivery_charge
from order_lines
inner join orders
    on order_lines.order_id = orders.order_id
left join customers
    on order_lines.customer_id = customers.customer_id
