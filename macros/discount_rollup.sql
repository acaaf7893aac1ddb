{#- The discount marts' SQL, written once: sold lines (returns excluded) per month, or per month
    and `dimension` (a column of int_sales_order_lines), split by whether a coupon was used. -#}
{% macro discount_rollup(dimension=none) %}

with order_lines as (

    select * from {{ ref('int_sales_order_lines') }}

),

sold as (

    select
        *,
        cast({{ dbt.date_trunc('month', 'order_date') }} as date) as month_start_date
    from order_lines
    where not is_return

),

monthly as (

    select
        month_start_date,
        {% if dimension %}{{ dimension }},{% endif %}
        count(distinct order_id) as orders,
        count(distinct case when has_coupon then order_id end) as coupon_orders,
        sum(gross_amount) as gross_revenue,
        sum(discount_amount) as discount_amount,
        sum(case when has_coupon then gross_amount else 0 end) as coupon_gross_revenue,
        sum(case when has_coupon then net_amount else 0 end) as coupon_net_revenue,
        sum(case when has_coupon then 0 else net_amount end) as no_coupon_net_revenue
    from sold
    group by month_start_date{% if dimension %}, {{ dimension }}{% endif %}

)

select
    month_start_date,
    {% if dimension %}{{ dimension }},{% endif %}
    orders,
    coupon_orders,
    orders - coupon_orders as no_coupon_orders,
    cast(coupon_orders as double) / nullif(orders, 0) as coupon_order_share,
    gross_revenue,
    discount_amount,
    gross_revenue - discount_amount as net_sales,
    discount_amount / nullif(gross_revenue, 0) as discount_depth,
    discount_amount / nullif(coupon_gross_revenue, 0) as coupon_discount_depth,
    coupon_net_revenue,
    no_coupon_net_revenue,
    coupon_net_revenue / nullif(coupon_orders, 0) as coupon_average_order_value,
    no_coupon_net_revenue / nullif(orders - coupon_orders, 0) as no_coupon_average_order_value
from monthly

{% endmacro %}
