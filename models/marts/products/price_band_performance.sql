{#- One row per price band (by list price, else the average selling price): how many products,
    how much they sell and how often they come back. -#}
with products as (

    select * from {{ ref('int_product_sales') }}

),

banded as (

    select
        *,
        coalesce(
            {{ price_band('coalesce(list_price, average_unit_price)') }}, '0: unknown'
        ) as price_band
    from products

),

bands as (

    select
        price_band,
        count(*) as products,
        min(coalesce(list_price, average_unit_price)) as min_price,
        max(coalesce(list_price, average_unit_price)) as max_price,
        sum(units_sold) as units_sold,
        sum(units_returned) as units_returned,
        sum(gross_revenue) as gross_revenue,
        sum(discount_amount) as discount_amount,
        sum(net_revenue) as net_revenue
    from banded
    group by price_band

)

select
    -- ids
    price_band,
    -- numerics
    products,
    min_price,
    max_price,
    cast(units_sold as {{ dbt.type_bigint() }}) as units_sold,
    cast(units_sold as double) / products as units_sold_per_product,
    cast(units_returned as {{ dbt.type_bigint() }}) as units_returned,
    cast(units_returned as double) / nullif(units_sold, 0) as return_rate,
    gross_revenue,
    discount_amount / nullif(gross_revenue, 0) as discount_depth,
    net_revenue,
    net_revenue / nullif(sum(net_revenue) over (), 0) as net_revenue_share
from bands
