{#- The warehouse's "today" as a SQL date expression: the `as_of_date` var when set, else the day
    after the last clean order line, so that reruns on the same data give the same answers. -#}
{% macro as_of_date() -%}
    {%- if var("as_of_date") -%}
        cast('{{ var("as_of_date") }}' as date)
    {%- else -%}
        (
            select cast({{ dbt.dateadd("day", 1, "max(ordered_at)") }} as date)
            from {{ ref("int_order_lines_cleaned") }}
        )
    {%- endif -%}
{%- endmacro %}
