-- On which days and at which hours do customers order? Orders per average day, by weekday.
with weekday_hours as (

    select * from {{ ref('sales_by_weekday_hour') }}

)

select
    day_of_week,
    day_name,
    sum(average_orders_per_day) as average_orders_per_day,
    sum(average_net_revenue_per_day) as average_net_revenue_per_day,
    sum(order_share) as order_share
from weekday_hours
group by day_of_week, day_name
order by day_of_week
