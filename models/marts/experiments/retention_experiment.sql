{#- The randomised retention offer: retention (an order within the window after the offer
    date) and revenue per arm, absolute uplift with a 95% confidence interval (normal
    approximation, unpooled standard error), two-proportion z-test (pooled) and the revenue
    impact net of the offer's discount. One row per offer date; one row with the reason when
    the source has no randomised offer. -#}
with offers as (

    select
        *,
        cast(
            {{ dbt.dateadd('day', var('experiment_window_days'), 'offered_date') }} as date
        ) as window_end_date
    from {{ ref('int_retention_offers_cleaned') }}

),

orders as (

    select * from {{ ref('fct_orders') }}

),

customer_outcomes as (

    select
        offers.customer_id,
        offers.offered_date,
        offers.experiment_group,
        max(offers.coupon_code) as offer_coupon_code,
        count(orders.order_id) as window_orders,
        coalesce(sum(orders.gross_amount), 0) as window_gross_amount,
        coalesce(sum(orders.net_amount), 0) as window_net_amount,
        coalesce(sum(
            case when orders.coupon_code = offers.coupon_code then orders.discount_amount end
        ), 0) as offer_discount_amount
    from offers
    left join orders
        on
            offers.customer_id = orders.customer_id
            and not orders.is_return
            and offers.offered_date < orders.order_date
            and offers.window_end_date >= orders.order_date
    group by offers.customer_id, offers.offered_date, offers.experiment_group

),

arms as (

    select
        offered_date,
        max(offer_coupon_code) as offer_coupon_code,
        count(case when experiment_group = 'treatment' then 1 end) as treatment_customers,
        count(case when experiment_group = 'control' then 1 end) as control_customers,
        count(case when experiment_group = 'treatment' and window_orders > 0 then 1 end)
            as treatment_retained,
        count(case when experiment_group = 'control' and window_orders > 0 then 1 end)
            as control_retained,
        sum(case when experiment_group = 'treatment' then window_net_amount else 0 end)
            as treatment_net_revenue,
        sum(case when experiment_group = 'control' then window_net_amount else 0 end)
            as control_net_revenue,
        sum(case when experiment_group = 'treatment' then window_gross_amount else 0 end)
            as treatment_gross_revenue,
        sum(case when experiment_group = 'control' then window_gross_amount else 0 end)
            as control_gross_revenue,
        sum(case when experiment_group = 'treatment' then offer_discount_amount else 0 end)
            as offer_discount_cost
    from customer_outcomes
    group by offered_date

),

rates as (

    select
        *,
        treatment_retained / nullif(cast(treatment_customers as double), 0)
            as treatment_retention_rate,
        control_retained / nullif(cast(control_customers as double), 0)
            as control_retention_rate,
        (treatment_retained + control_retained)
        / nullif(cast(treatment_customers + control_customers as double), 0) as pooled_rate
    from arms

),

tested as (

    select
        *,
        treatment_retention_rate - control_retention_rate as uplift,
        sqrt(
            treatment_retention_rate * (1 - treatment_retention_rate)
            / nullif(treatment_customers, 0)
            + control_retention_rate * (1 - control_retention_rate) / nullif(control_customers, 0)
        ) as uplift_standard_error,
        (treatment_retention_rate - control_retention_rate)
        / nullif(sqrt(
            pooled_rate * (1 - pooled_rate)
            * (
                cast(1 as double) / nullif(treatment_customers, 0)
                + cast(1 as double) / nullif(control_customers, 0)
            )
        ), 0) as z_statistic
    from rates

),

results as (

    select
        cast(offered_date as {{ dbt.type_string() }}) as experiment_id,
        'analysed: randomised retention offer' as analysis_status,
        offered_date,
        offer_coupon_code,
        treatment_customers,
        control_customers,
        treatment_retained,
        control_retained,
        treatment_retention_rate,
        control_retention_rate,
        uplift,
        uplift_standard_error,
        uplift - 1.959964 * uplift_standard_error as uplift_ci_lower,
        uplift + 1.959964 * uplift_standard_error as uplift_ci_upper,
        z_statistic,
        {{ two_sided_normal_p_value('z_statistic') }} as p_value,
        treatment_net_revenue,
        control_net_revenue,
        treatment_net_revenue
        / nullif(treatment_customers, 0) as treatment_net_revenue_per_customer,
        control_net_revenue / nullif(control_customers, 0) as control_net_revenue_per_customer,
        offer_discount_cost,
        (
            treatment_gross_revenue / nullif(treatment_customers, 0)
            - control_gross_revenue / nullif(control_customers, 0)
        )
        * treatment_customers as incremental_gross_revenue,
        (
            treatment_net_revenue / nullif(treatment_customers, 0)
            - control_net_revenue / nullif(control_customers, 0)
        )
        * treatment_customers as incremental_net_revenue
    from tested

),

no_experiment as (

    select
        'none' as experiment_id,
        'not available: the source has no randomised retention offer' as analysis_status
    where not exists (select 1 from offers)

)

select
    experiment_id,
    analysis_status,
    offered_date,
    cast({{ var('experiment_window_days') }} as {{ dbt.type_bigint() }}) as window_days,
    offer_coupon_code,
    treatment_customers,
    control_customers,
    treatment_retained,
    control_retained,
    treatment_retention_rate,
    control_retention_rate,
    uplift,
    uplift_standard_error,
    uplift_ci_lower,
    uplift_ci_upper,
    z_statistic,
    p_value,
    treatment_net_revenue,
    control_net_revenue,
    treatment_net_revenue_per_customer,
    control_net_revenue_per_customer,
    offer_discount_cost,
    incremental_gross_revenue,
    incremental_net_revenue
from results
union all
select
    experiment_id,
    analysis_status,
    cast(null as date) as offered_date,
    cast({{ var('experiment_window_days') }} as {{ dbt.type_bigint() }}) as window_days,
    null as offer_coupon_code,
    null as treatment_customers,
    null as control_customers,
    null as treatment_retained,
    null as control_retained,
    null as treatment_retention_rate,
    null as control_retention_rate,
    null as uplift,
    null as uplift_standard_error,
    null as uplift_ci_lower,
    null as uplift_ci_upper,
    null as z_statistic,
    null as p_value,
    null as treatment_net_revenue,
    null as control_net_revenue,
    null as treatment_net_revenue_per_customer,
    null as control_net_revenue_per_customer,
    null as offer_discount_cost,
    null as incremental_gross_revenue,
    null as incremental_net_revenue
from no_experiment
