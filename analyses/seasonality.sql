-- Which months sell most? Each calendar month's net revenue against the average month of its
-- year (1.30 = 30 % above), complete months only.
with kpis as (

    select * from {{ ref('kpi_monthly') }}

),

complete as (

    select
        month_start_date,
        net_revenue,
        extract(year from month_start_date) as calendar_year
    from kpis
    where not is_partial_period

)

select
    month_start_date,
    net_revenue,
    net_revenue / avg(net_revenue) over (partition by calendar_year) as seasonal_index
from complete
order by month_start_date
