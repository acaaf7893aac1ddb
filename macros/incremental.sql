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


{#-
    The validated rows of an entity (int_<entity>_validated). On DuckDB, an entity whose text
    is not re-spelled (no `spelling` column: order lines, shipments, reviews, web events,
    retention offers) is an incremental model: a run validates only the rows appended to each
    raw file since the last run (see validate_entity). Raw exports are expected to grow at
    their end; a raw file that was replaced or edited, or a moved raw folder, needs
    `dbt build --full-refresh`. Entities with re-spelled text are rebuilt every run: a new row
    can change the most common spelling of earlier rows.
-#}
{% macro validated_entity_config(entity) %}
    {%- set respelled = canonical_entities()[entity]["columns"] | selectattr("spelling") | list -%}
    {%- set incremental = target.type == "duckdb" and not respelled -%}
    {{ return({
        "materialized": "incremental" if incremental else "table",
        "incremental_strategy": "append",
        "on_schema_change": "fail",
    }) }}
{% endmacro %}
