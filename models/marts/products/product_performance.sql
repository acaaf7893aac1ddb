{#- One row per product: sales, returns and views, ranked by quantity and by revenue (overall
    and within the category), with its price band and the viewed-but-rarely-bought flag. -#}
with products as (

    select * from {{ ref('int_product_sales') }}

),

-- Orders per product view of all viewed products: the yardstick for "rarely bought".
web_totals as (

    select cast(sum(orders) as double) / nullif(sum(product_views), 0) as orders_per_view
    from products
    where product_views > 0

),

scored as (

    select
        products.*,
        {{ price_band('coalesce(products.list_price, products.average_unit_price)') }}
            as price_band,
        products.product_views * web_totals.orders_per_view as expected_orders,
        cast(products.orders as double) / nullif(products.product_views, 0)
        / nullif(web_totals.orders_per_view, 0) as view_to_order_index
    from products
    cross join web_totals

)

select
    -- ids
    product_id,
    -- attributes
    product_name,
    category,
    price_band,
    -- enough views to expect a fair number of orders, yet only a small fraction of them
    expected_orders >= {{ var('viewed_not_bought_min_expected_orders', 10) }}
    and view_to_order_index < {{ var('viewed_not_bought_max_index', 0.1) }}
        as is_viewed_rarely_bought,
    -- numerics
    list_price,
    average_unit_price,
    orders,
    customers,
    units_sold,
    units_returned,
    cast(units_returned as double) / nullif(units_sold, 0) as return_rate,
    gross_revenue,
    discount_amount,
    returns_amount,
    net_revenue,
    net_revenue / nullif(sum(net_revenue) over (), 0) as net_revenue_share,
    cast(rank() over (order by units_sold desc) as {{ dbt.type_bigint() }}) as quantity_rank,
    -- Revenue ranked to the cent: sums of doubles differ in the last bits from run to run.
    cast(
        rank() over (order by round(net_revenue, 2) desc) as {{ dbt.type_bigint() }}
    ) as revenue_rank,
    cast(
        rank() over (partition by category order by units_sold desc)
        as {{ dbt.type_bigint() }}
    ) as category_quantity_rank,
    cast(
        rank() over (partition by category order by round(net_revenue, 2) desc)
        as {{ dbt.type_bigint() }}
    ) as category_revenue_rank,
    product_views,
    cast(orders as double) / nullif(product_views, 0) as orders_per_view,
    expected_orders,
    view_to_order_index
from scored
