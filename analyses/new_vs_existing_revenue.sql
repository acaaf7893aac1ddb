-- How much of each month's revenue comes from new customers, existing customers and guests?
with kpis as (

    select * from {{ ref('kpi_monthly') }}

)

select
    month_start_date,
    new_customers,
    existing_customers,
    new_customer_revenue,
    existing_customer_revenue,
    guest_revenue,
    new_customer_revenue
    / nullif(new_customer_revenue + existing_customer_revenue + guest_revenue, 0)
        as new_customer_revenue_share
from kpis
order by month_start_date
