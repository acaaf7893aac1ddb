-- In the month of their first order every customer of a cohort is active: retention 100 %.
select
    cohort_month,
    cohort_customers,
    active_customers,
    retention_rate
from {{ ref('cohort_retention') }}
where
    months_since_first_order = 0
    and (active_customers != cohort_customers or retention_rate != 1)
