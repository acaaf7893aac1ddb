{#- The warehouse's "today", one row: the `as_of_date` var when set, else the day after the last
    clean order line, so that reruns on the same data give the same answers; with no clean
    order line at all (a shop with no sales yet), today. -#}
{%- if var("as_of_date") %}
    select cast('{{ var("as_of_date") }}' as date) as as_of_date
{%- else %}
    with order_lines as (

        select * from {{ ref('int_order_lines_cleaned') }}

    )

    select
        coalesce(
            cast({{ dbt.dateadd("day", 1, "max(ordered_at)") }} as date), current_date
        ) as as_of_date
    from order_lines
{%- endif %}
