{#-
    Incremental builds of the order facts (fct_order_lines, fct_orders). On DuckDB they are
    incremental models keyed on `order_date`: a run rebuilds every order date from the last
    date already built minus var `incremental_lookback_days` (so lines arriving late for the
    orders of those days are picked up) and replaces those dates (delete+insert). Other
    adapters (Spark) build them as plain tables; see the models' descriptions.
-#}
{% macro order_facts_config() %}
    {{ return({
        "materialized": "incremental" if target.type == "duckdb" else "table",
        "incremental_strategy": "delete+insert",
        "unique_key": "order_date",
        "on_schema_change": "fail",
    }) }}
{% endmacro %}


{# The first order date an incremental run rebuilds (a scalar subquery on the model itself). #}
{% macro incremental_window_start() -%}
    (
        select
            coalesce(
                {{ dbt.dateadd("day", -var("incremental_lookback_days"), "max(order_date)") }},
                cast('1900-01-01' as date)
            )
        from {{ this }}
    )
{%- endmacro %}
