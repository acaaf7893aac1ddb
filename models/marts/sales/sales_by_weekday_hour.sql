{#- Seasonality within the week: one row per ISO weekday and hour of the day (all 168, zero
    when nothing was sold), sold orders only. -#}
with orders as (

    select * from {{ ref('fct_orders') }}

),

calendar as (

    select * from {{ ref('dim_date') }}

),

sold as (

    select * from orders
    where not is_return

),

bounds as (

    select
        min(order_date) as first_day,
        max(order_date) as last_day
    from orders

),

-- How many Mondays, Tuesdays, ... the order history spans, for averages per day.
weekdays as (

    select
        calendar.day_of_week,
        min(calendar.day_name) as day_name,
        count(*) as days_in_range
    from calendar
    cross join bounds
    where calendar.date_day between bounds.first_day and bounds.last_day
    group by calendar.day_of_week

),

hours as (

    select cast(hour_values.hour_of_day as {{ dbt.type_bigint() }}) as hour_of_day
    from (
        values
        {%- for hour in range(24) %}
            ({{ hour }}){{ "," if not loop.last }}
        {%- endfor %}
    ) as hour_values (hour_of_day)

),

sales as (

    select
        {{ iso_day_of_week('ordered_at') }} as day_of_week,
        {{ date_part_number('hour', 'ordered_at') }} as hour_of_day,
        count(*) as orders,
        sum(net_amount) as net_revenue,
        cast(sum(item_quantity) as {{ dbt.type_bigint() }}) as quantity
    from sold
    group by {{ iso_day_of_week('ordered_at') }}, {{ date_part_number('hour', 'ordered_at') }}

),

totals as (

    select
        count(*) as orders,
        sum(net_amount) as net_revenue
    from sold

)

select
    -- ids
    cast(weekdays.day_of_week as {{ dbt.type_bigint() }}) as day_of_week,
    cast(hours.hour_of_day as {{ dbt.type_bigint() }}) as hour_of_day,
    -- attributes
    weekdays.day_name,
    weekdays.day_of_week in (6, 7) as is_weekend,
    -- numerics
    weekdays.days_in_range,
    coalesce(sales.orders, 0) as orders,
    coalesce(sales.net_revenue, 0) as net_revenue,
    coalesce(sales.quantity, 0) as quantity,
    coalesce(sales.orders, 0) / weekdays.days_in_range as average_orders_per_day,
    coalesce(sales.net_revenue, 0) / weekdays.days_in_range as average_net_revenue_per_day,
    coalesce(sales.orders, 0) / nullif(totals.orders, 0) as order_share,
    coalesce(sales.net_revenue, 0) / nullif(totals.net_revenue, 0) as net_revenue_share
from weekdays
cross join hours
cross join totals
left join sales
    on
        weekdays.day_of_week = sales.day_of_week
        and hours.hour_of_day = sales.hour_of_day
