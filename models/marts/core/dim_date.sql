{#- A calendar of whole years, from the year of the first order to the year of the as-of date. -#}
with order_lines as (

    select * from {{ ref('int_order_lines_cleaned') }}

),

as_of as (

    select as_of_date from {{ ref('int_as_of_date') }}

),

bounds as (

    select
        cast({{ dbt.date_trunc('year', 'min(ordered_at)') }} as date) as first_day,
        cast({{ dbt.last_day('(select as_of_date from as_of)', 'year') }} as date) as last_day
    from order_lines

),

digits as (

    select ten_values.digit
    from (values (0), (1), (2), (3), (4), (5), (6), (7), (8), (9)) as ten_values (digit)

),

-- 0 .. 99,999 days: enough for any calendar (273 years).
day_offsets as (

    select
        ones.digit
        + 10 * tens.digit
        + 100 * hundreds.digit
        + 1000 * thousands.digit
        + 10000 * ten_thousands.digit as day_offset
    from digits as ones
    cross join digits as tens
    cross join digits as hundreds
    cross join digits as thousands
    cross join digits as ten_thousands

),

days as (

    select
        cast({{ dbt.dateadd('day', 'day_offsets.day_offset', 'bounds.first_day') }} as date)
            as date_day
    from day_offsets
    cross join bounds
    where day_offsets.day_offset <= {{ dbt.datediff('bounds.first_day', 'bounds.last_day', 'day') }}

)

select
    date_day,
    {{ date_part_number('year', 'date_day') }} as calendar_year,
    {{ date_part_number('quarter', 'date_day') }} as quarter_of_year,
    {{ date_part_number('month', 'date_day') }} as month_of_year,
    {{ month_name('date_day') }} as month_name,
    cast({{ dbt.date_trunc('month', 'date_day') }} as date) as month_start_date,
    cast({{ dbt.date_trunc('week', 'date_day') }} as date) as week_start_date,
    {{ date_part_number('day', 'date_day') }} as day_of_month,
    {{ date_part_number('doy', 'date_day') }} as day_of_year,
    {{ iso_day_of_week('date_day') }} as day_of_week,
    {{ day_name('date_day') }} as day_name,
    {{ iso_day_of_week('date_day') }} in (6, 7) as is_weekend
from days
