-- Every KPI mart's net revenue adds up to the total net revenue of fct_orders (within a cent).
with orders as (

    select sum(net_amount) as net_revenue from {{ ref('fct_orders') }}

),

marts as (

    select
        'kpi_daily' as mart,
        sum(net_revenue) as net_revenue
    from {{ ref('kpi_daily') }}
    union all
    select
        'kpi_weekly' as mart,
        sum(net_revenue) as net_revenue
    from {{ ref('kpi_weekly') }}
    union all
    select
        'kpi_monthly' as mart,
        sum(net_revenue) as net_revenue
    from {{ ref('kpi_monthly') }}
    union all
    select
        'kpi_monthly_by_category' as mart,
        sum(net_revenue) as net_revenue
    from {{ ref('kpi_monthly_by_category') }}
    union all
    select
        'kpi_monthly_by_country' as mart,
        sum(net_revenue) as net_revenue
    from {{ ref('kpi_monthly_by_country') }}

)

select
    marts.mart,
    marts.net_revenue,
    orders.net_revenue as fct_orders_net_revenue
from marts
cross join orders
where abs(coalesce(marts.net_revenue, 0) - coalesce(orders.net_revenue, 0)) > 0.01
