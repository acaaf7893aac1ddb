{#- One row per customer with at least one purchase up to the as-of date: the behaviour and
    profile features that every segmentation model reads (RFM, value tiers, K-Means).
    Only orders placed on or before the as-of date count. -#}
with customers as (

    select * from {{ ref('dim_customers') }}

),

orders as (

    select * from {{ ref('fct_orders') }}

),

order_lines as (

    select * from {{ ref('fct_order_lines') }}

),

as_of as (

    select as_of_date from {{ ref('int_as_of_date') }}

),

customer_orders as (

    select
        orders.order_id,
        orders.customer_id,
        orders.ordered_at,
        orders.order_date,
        orders.is_return,
        orders.has_coupon,
        orders.net_amount
    from orders
    cross join as_of
    where
        orders.customer_id is not null
        and orders.order_date <= as_of.as_of_date

),

order_totals as (

    select
        customer_id,
        min(case when not is_return then order_date end) as first_order_date,
        max(case when not is_return then order_date end) as last_order_date,
        count(case when not is_return then order_id end) as order_count,
        count(case when is_return then order_id end) as return_order_count,
        count(case when not is_return and has_coupon then order_id end) as coupon_order_count,
        sum(case when not is_return then net_amount else 0 end) as purchase_net_amount,
        sum(net_amount) as net_revenue
    from customer_orders
    group by customer_id
    having count(case when not is_return then order_id end) > 0

),

-- Most frequent weekday and hour of the customer's purchases; ties go to the earlier one.
weekday_counts as (

    select
        customer_id,
        {{ iso_day_of_week('ordered_at') }} as weekday_number,
        count(*) as purchase_count
    from customer_orders
    where not is_return
    group by customer_id, {{ iso_day_of_week('ordered_at') }}

),

preferred_weekdays as (

    select
        customer_id,
        weekday_number,
        row_number() over (
            partition by customer_id order by purchase_count desc, weekday_number asc
        ) as preference_rank
    from weekday_counts

),

hour_counts as (

    select
        customer_id,
        {{ date_part_number('hour', 'ordered_at') }} as hour_of_day,
        count(*) as purchase_count
    from customer_orders
    where not is_return
    group by customer_id, {{ date_part_number('hour', 'ordered_at') }}

),

preferred_hours as (

    select
        customer_id,
        hour_of_day,
        row_number() over (
            partition by customer_id order by purchase_count desc, hour_of_day asc
        ) as preference_rank
    from hour_counts

),

-- The category of the customer's largest purchase spend; ties go to the first name.
category_spend as (

    select
        order_lines.customer_id,
        order_lines.category,
        sum(order_lines.net_amount) as net_amount
    from order_lines
    cross join as_of
    where
        order_lines.customer_id is not null
        and not order_lines.is_return
        and order_lines.category is not null
        and order_lines.order_date <= as_of.as_of_date
    group by order_lines.customer_id, order_lines.category

),

favourite_categories as (

    select
        customer_id,
        category,
        row_number() over (
            -- to the cent: sums of doubles differ in the last bits from run to run
            partition by customer_id order by round(net_amount, 2) desc, category asc
        ) as preference_rank
    from category_spend

)

select
    -- ids
    order_totals.customer_id,
    -- dates
    as_of.as_of_date,
    order_totals.first_order_date,
    order_totals.last_order_date,
    -- attributes
    customers.country,
    customers.city,
    customers.gender,
    cast(preferred_weekdays.weekday_number as integer) as preferred_weekday,
    case cast(preferred_weekdays.weekday_number as integer)
        when 1 then 'Monday'
        when 2 then 'Tuesday'
        when 3 then 'Wednesday'
        when 4 then 'Thursday'
        when 5 then 'Friday'
        when 6 then 'Saturday'
        when 7 then 'Sunday'
    end as preferred_weekday_name,
    cast(preferred_hours.hour_of_day as integer) as preferred_hour,
    favourite_categories.category as favourite_category,
    -- numerics
    cast(
        {{ dbt.datediff('order_totals.last_order_date', 'as_of.as_of_date', 'day') }}
        as {{ dbt.type_bigint() }}
    ) as recency_days,
    order_totals.order_count as frequency,
    order_totals.net_revenue as monetary,
    order_totals.purchase_net_amount / order_totals.order_count as average_order_value,
    cast(
        {{ dbt.datediff('order_totals.first_order_date', 'as_of.as_of_date', 'day') }}
        as {{ dbt.type_bigint() }}
    ) as tenure_days,
    case
        when order_totals.order_count > 1
            then {{ dbt.datediff(
                'order_totals.first_order_date', 'order_totals.last_order_date', 'day'
            ) }} / cast(order_totals.order_count - 1 as double)
    end as average_days_between_orders,
    cast(order_totals.coupon_order_count as double) / order_totals.order_count
        as coupon_order_share,
    order_totals.return_order_count,
    cast(order_totals.return_order_count as double) / order_totals.order_count as return_rate
from order_totals
cross join as_of
left join customers
    on order_totals.customer_id = customers.customer_id
left join preferred_weekdays
    on
        order_totals.customer_id = preferred_weekdays.customer_id
        and preferred_weekdays.preference_rank = 1
left join preferred_hours
    on
        order_totals.customer_id = preferred_hours.customer_id
        and preferred_hours.preference_rank = 1
left join favourite_categories
    on
        order_totals.customer_id = favourite_categories.customer_id
        and favourite_categories.preference_rank = 1
