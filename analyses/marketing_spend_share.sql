-- How much of revenue goes to marketing, and how closely does revenue follow spend?
with spend as (

    select * from {{ ref('marketing_spend_monthly') }}

)

select
    month_start_date,
    marketing_spend,
    net_revenue,
    marketing_spend_share,
    fitted_net_revenue,
    spend_revenue_correlation,
    fit_slope
from spend
order by month_start_date
