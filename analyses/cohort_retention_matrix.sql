-- Retention by cohort: the share of each month's new customers still ordering 1, 3, 6 and 12
-- months later (a cohort matrix, one column per offset).
with cohorts as (

    select * from {{ ref('cohort_retention') }}

)

select
    cohort_month,
    max(cohort_customers) as cohort_customers,
    max(case when months_since_first_order = 1 then retention_rate end) as month_1,
    max(case when months_since_first_order = 3 then retention_rate end) as month_3,
    max(case when months_since_first_order = 6 then retention_rate end) as month_6,
    max(case when months_since_first_order = 12 then retention_rate end) as month_12
from cohorts
group by cohort_month
order by cohort_month
