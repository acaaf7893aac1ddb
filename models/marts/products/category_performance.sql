{#- One row per product category: sales, discounts, returns and views over the whole history. -#}
with products as (

    select * from {{ ref('int_product_sales') }}

),

order_lines as (

    select * from {{ ref('int_sales_order_lines') }}

),

-- Orders and customers are counted per category from the lines (an order can hold several
-- products of one category).
reach as (

    select
        category,
        count(distinct case when not is_return then order_id end) as orders,
        count(distinct case when not is_return and not is_guest then customer_id end)
            as customers
    from order_lines
    group by category

),

categories as (

    select
        category,
        count(*) as products,
        count(case when units_sold > 0 then 1 end) as products_sold,
        sum(units_sold) as units_sold,
        sum(units_returned) as units_returned,
        sum(gross_revenue) as gross_revenue,
        sum(discount_amount) as discount_amount,
        sum(returns_amount) as returns_amount,
        sum(net_revenue) as net_revenue,
        sum(product_views) as product_views
    from products
    group by category

)

select
    -- ids
    categories.category,
    -- numerics
    categories.products,
    categories.products_sold,
    coalesce(reach.orders, 0) as orders,
    coalesce(reach.customers, 0) as customers,
    cast(categories.units_sold as {{ dbt.type_bigint() }}) as units_sold,
    cast(categories.units_returned as {{ dbt.type_bigint() }}) as units_returned,
    cast(categories.units_returned as double) / nullif(categories.units_sold, 0) as return_rate,
    categories.gross_revenue,
    categories.discount_amount,
    categories.discount_amount / nullif(categories.gross_revenue, 0) as discount_depth,
    categories.returns_amount,
    categories.net_revenue,
    categories.net_revenue / nullif(sum(categories.net_revenue) over (), 0)
        as net_revenue_share,
    categories.gross_revenue / nullif(categories.units_sold, 0) as average_unit_price,
    -- Ranked to the cent: sums of doubles differ in the last bits from run to run.
    cast(
        rank() over (order by round(categories.net_revenue, 2) desc)
        as {{ dbt.type_bigint() }}
    ) as revenue_rank,
    cast(categories.product_views as {{ dbt.type_bigint() }}) as product_views
from categories
left join reach
    on categories.category = reach.category
