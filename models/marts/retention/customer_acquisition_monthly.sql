{#- Customers acquired per month and how well each month keeps the customers of the month
    before. One row per month from the first order to the month of the as-of date. -#}
with activity as (

    select * from {{ ref('int_customer_monthly_activity') }}

),

marketing_spend as (

    select * from {{ ref('int_marketing_spend_cleaned') }}

),

calendar as (

    select * from {{ ref('dim_date') }}

),

as_of as (

    select as_of_date from {{ ref('int_as_of_date') }}

),

first_cohort as (

    select min(cohort_month) as first_month from activity

),

months as (

    select distinct calendar.month_start_date
    from calendar
    cross join as_of
    cross join first_cohort
    where
        calendar.date_day < as_of.as_of_date
        and calendar.date_day >= first_cohort.first_month

),

active as (

    select
        customer_id,
        cohort_month,
        activity_month,
        months_since_first_order
    from activity
    where is_active

),

monthly as (

    select
        activity_month,
        count(*) as active_customers,
        count(case when months_since_first_order = 0 then 1 end) as new_customers,
        count(case when months_since_first_order > 0 then 1 end) as returning_customers
    from active
    group by activity_month

),

-- Customers active in a month who were also active the month before.
retained as (

    select
        this_month.activity_month,
        count(*) as retained_customers
    from active as this_month
    inner join active as previous_month
        on
            this_month.customer_id = previous_month.customer_id
            and previous_month.activity_month
            = cast({{ dbt.dateadd('month', -1, 'this_month.activity_month') }} as date)
    group by this_month.activity_month

),

-- Of each month's new customers, how many ordered again in their second month.
month_one as (

    select
        cohort_month,
        count(*) as month_1_active_customers
    from active
    where months_since_first_order = 1
    group by cohort_month

),

new_revenue as (

    select
        cohort_month,
        sum(net_revenue) as new_customer_net_revenue
    from activity
    where months_since_first_order = 0
    group by cohort_month

),

spend as (

    select
        cast({{ dbt.date_trunc('month', 'spend_date') }} as date) as spend_month,
        sum(spend) as marketing_spend
    from marketing_spend
    group by cast({{ dbt.date_trunc('month', 'spend_date') }} as date)

),

spend_source as (

    select count(*) > 0 as has_spend from marketing_spend

),

joined as (

    select
        months.month_start_date,
        coalesce(monthly.new_customers, 0) as new_customers,
        coalesce(monthly.active_customers, 0) as active_customers,
        coalesce(monthly.returning_customers, 0) as returning_customers,
        lag(coalesce(monthly.active_customers, 0)) over (order by months.month_start_date)
            as previous_month_active_customers,
        coalesce(retained.retained_customers, 0) as retained_customers,
        month_one.month_1_active_customers,
        coalesce(new_revenue.new_customer_net_revenue, 0) as new_customer_net_revenue,
        case when spend_source.has_spend then coalesce(spend.marketing_spend, 0) end
            as marketing_spend,
        -- a month's month-1 figure is known once the following month has started
        cast({{ dbt.dateadd('month', 1, 'months.month_start_date') }} as date)
        < as_of.as_of_date as has_month_1
    from months
    cross join as_of
    cross join spend_source
    left join monthly
        on months.month_start_date = monthly.activity_month
    left join retained
        on months.month_start_date = retained.activity_month
    left join month_one
        on months.month_start_date = month_one.cohort_month
    left join new_revenue
        on months.month_start_date = new_revenue.cohort_month
    left join spend
        on months.month_start_date = spend.spend_month

)

select
    -- ids
    month_start_date,
    -- numerics
    new_customers,
    cast(sum(new_customers) over (order by month_start_date) as {{ dbt.type_bigint() }})
        as cumulative_customers,
    active_customers,
    returning_customers,
    previous_month_active_customers,
    retained_customers,
    cast(retained_customers as double) / nullif(previous_month_active_customers, 0)
        as month_over_month_retention_rate,
    case when has_month_1 then coalesce(month_1_active_customers, 0) end
        as month_1_active_customers,
    case
        when has_month_1 then cast(coalesce(month_1_active_customers, 0) as double)
            / nullif(new_customers, 0)
    end as month_1_retention_rate,
    new_customer_net_revenue,
    marketing_spend,
    marketing_spend / nullif(new_customers, 0) as marketing_spend_per_new_customer
from joined
