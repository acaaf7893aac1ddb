{#- MetricFlow's daily time spine: the warehouse calendar (dim_date), one row per day. -#}
with calendar as (

    select * from {{ ref('dim_date') }}

)

select date_day
from calendar
