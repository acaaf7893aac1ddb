{#- One row per product: the catalogue with its sales, returns and (where the source has web
    events) product views. The product marts rank and group it. -#}
with products as (

    select * from {{ ref('dim_products') }}

),

order_lines as (

    select * from {{ ref('fct_order_lines') }}

),

web_events as (

    select * from {{ ref('int_web_events_cleaned') }}

),

sales as (

    select
        product_id,
        count(distinct case when not is_return then order_id end) as orders,
        count(distinct case when not is_return and not is_guest then customer_id end)
            as customers,
        sum(case when not is_return then quantity else 0 end) as units_sold,
        sum(case when is_return then -quantity else 0 end) as units_returned,
        sum(case when not is_return then gross_amount else 0 end) as gross_revenue,
        sum(case when not is_return then discount_amount else 0 end) as discount_amount,
        sum(case when is_return then -net_amount else 0 end) as returns_amount,
        sum(net_amount) as net_revenue
    from order_lines
    group by product_id

),

views as (

    select
        product_id,
        count(*) as product_views
    from web_events
    where event_type = 'product_view' and product_id is not null
    group by product_id

),

web_source as (

    select count(*) > 0 as has_web_events from web_events

)

select
    -- ids
    products.product_id,
    -- attributes
    products.product_name,
    coalesce(products.category, 'Unknown') as category,
    products.list_price,
    -- numerics
    coalesce(sales.orders, 0) as orders,
    coalesce(sales.customers, 0) as customers,
    cast(coalesce(sales.units_sold, 0) as {{ dbt.type_bigint() }}) as units_sold,
    cast(coalesce(sales.units_returned, 0) as {{ dbt.type_bigint() }}) as units_returned,
    coalesce(sales.gross_revenue, 0) as gross_revenue,
    coalesce(sales.discount_amount, 0) as discount_amount,
    coalesce(sales.returns_amount, 0) as returns_amount,
    coalesce(sales.net_revenue, 0) as net_revenue,
    sales.gross_revenue / nullif(sales.units_sold, 0) as average_unit_price,
    case when web_source.has_web_events then coalesce(views.product_views, 0) end
        as product_views
from products
cross join web_source
left join sales
    on products.product_id = sales.product_id
left join views
    on products.product_id = views.product_id
