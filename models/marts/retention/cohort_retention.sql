{#- Monthly cohorts in long form: one row per cohort (month of the first order) and month since
    then, up to the month of the as-of date, including months in which nobody came back. -#}
with activity as (

    select * from {{ ref('int_customer_monthly_activity') }}

),

calendar as (

    select * from {{ ref('dim_date') }}

),

as_of as (

    select as_of_date from {{ ref('int_as_of_date') }}

),

months as (

    select distinct calendar.month_start_date
    from calendar
    cross join as_of
    where calendar.date_day < as_of.as_of_date

),

cohorts as (

    select
        cohort_month,
        count(distinct customer_id) as cohort_customers
    from activity
    group by cohort_month

),

spine as (

    select
        cohorts.cohort_month,
        cohorts.cohort_customers,
        months.month_start_date as activity_month,
        {{ dbt.datediff('cohorts.cohort_month', 'months.month_start_date', 'month') }}
            as months_since_first_order
    from cohorts
    inner join months
        on cohorts.cohort_month <= months.month_start_date

),

cohort_months as (

    select
        cohort_month,
        months_since_first_order,
        count(case when is_active then 1 end) as active_customers,
        sum(net_revenue) as net_revenue
    from activity
    group by cohort_month, months_since_first_order

),

joined as (

    select
        spine.cohort_month,
        spine.months_since_first_order,
        spine.activity_month,
        spine.cohort_customers,
        coalesce(cohort_months.active_customers, 0) as active_customers,
        coalesce(cohort_months.net_revenue, 0) as net_revenue
    from spine
    left join cohort_months
        on
            spine.cohort_month = cohort_months.cohort_month
            and spine.months_since_first_order = cohort_months.months_since_first_order

)

select
    -- ids
    joined.cohort_month,
    joined.months_since_first_order,
    -- dates
    joined.activity_month,
    -- attributes
    cast({{ dbt.dateadd('month', 1, 'joined.activity_month') }} as date) <= as_of.as_of_date
        as is_complete_month,
    -- numerics
    joined.cohort_customers,
    joined.active_customers,
    cast(joined.active_customers as double) / joined.cohort_customers as retention_rate,
    joined.net_revenue,
    joined.net_revenue / nullif(
        max(case when joined.months_since_first_order = 0 then joined.net_revenue end)
            over (partition by joined.cohort_month),
        0
    ) as revenue_retention
from joined
cross join as_of
