-- How many customers do we acquire each month, what does each cost, and do they come back?
with acquisition as (

    select * from {{ ref('customer_acquisition_monthly') }}

)

select
    month_start_date,
    new_customers,
    cumulative_customers,
    marketing_spend_per_new_customer,
    month_1_retention_rate
from acquisition
order by month_start_date
