{#- Marketing spend against net revenue by month, with the correlation and a least-squares line
    net revenue = intercept + slope × spend fitted over the complete months that have spend.
    No rows when the source has no marketing spend. -#}
with order_lines as (

    select * from {{ ref('int_sales_order_lines') }}

),

marketing_spend as (

    select * from {{ ref('int_marketing_spend_cleaned') }}

),

bounds as (

    select
        min(order_date) as first_day,
        max(order_date) as last_day
    from order_lines

),

sales as (

    select
        cast({{ dbt.date_trunc('month', 'order_date') }} as date) as month_start_date,
        sum(net_amount) as net_revenue,
        count(distinct case
            when
                not is_return
                and {{ dbt.date_trunc('month', 'customer_first_order_date') }}
                = {{ dbt.date_trunc('month', 'order_date') }}
                then customer_id
        end) as new_customers
    from order_lines
    group by cast({{ dbt.date_trunc('month', 'order_date') }} as date)

),

spend as (

    select
        cast({{ dbt.date_trunc('month', 'spend_date') }} as date) as month_start_date,
        max(cast({{ dbt.last_day('spend_date', 'month') }} as date)) as month_end_date,
        count(distinct channel) as channels,
        sum(spend) as marketing_spend
    from marketing_spend
    group by cast({{ dbt.date_trunc('month', 'spend_date') }} as date)

),

-- Months with spend inside the order history.
months as (

    select
        spend.month_start_date,
        spend.month_start_date < bounds.first_day
        or spend.month_end_date > bounds.last_day as is_partial_period,
        spend.channels,
        spend.marketing_spend,
        coalesce(sales.net_revenue, 0) as net_revenue,
        coalesce(sales.new_customers, 0) as new_customers
    from spend
    cross join bounds
    left join sales
        on spend.month_start_date = sales.month_start_date
    where
        spend.month_start_date >= cast({{ dbt.date_trunc('month', 'bounds.first_day') }} as date)
        and spend.month_start_date <= bounds.last_day

),

fitted as (

    select * from months
    where not is_partial_period and marketing_spend > 0

),

means as (

    select
        count(*) as fitted_months,
        avg(marketing_spend) as mean_spend,
        avg(net_revenue) as mean_revenue
    from fitted

),

-- Least squares in two passes (centred sums), which keeps the rounding error small.
sums as (

    select
        means.fitted_months,
        means.mean_spend,
        means.mean_revenue,
        sum(
            (fitted.marketing_spend - means.mean_spend) * (fitted.net_revenue - means.mean_revenue)
        ) as sxy,
        sum(power(fitted.marketing_spend - means.mean_spend, 2)) as sxx,
        sum(power(fitted.net_revenue - means.mean_revenue, 2)) as syy
    from fitted
    cross join means
    group by means.fitted_months, means.mean_spend, means.mean_revenue

),

fit as (

    select
        fitted_months,
        sxy / nullif(sqrt(sxx * syy), 0) as spend_revenue_correlation,
        sxy / nullif(sxx, 0) as fit_slope,
        mean_revenue - sxy / nullif(sxx, 0) * mean_spend as fit_intercept,
        sxy * sxy / nullif(sxx * syy, 0) as fit_r_squared
    from sums

)

select
    -- ids
    months.month_start_date,
    -- attributes
    months.is_partial_period,
    -- numerics
    cast(months.channels as {{ dbt.type_bigint() }}) as channels,
    months.marketing_spend,
    months.net_revenue,
    case
        when months.net_revenue > 0 then months.marketing_spend / months.net_revenue
    end as marketing_spend_share,
    months.new_customers,
    months.marketing_spend / nullif(months.new_customers, 0) as marketing_spend_per_new_customer,
    fit.fitted_months,
    fit.spend_revenue_correlation,
    fit.fit_slope,
    fit.fit_intercept,
    fit.fit_r_squared,
    fit.fit_intercept + fit.fit_slope * months.marketing_spend as fitted_net_revenue,
    months.net_revenue - (fit.fit_intercept + fit.fit_slope * months.marketing_spend)
        as fit_residual
from months
left join fit
    on true
