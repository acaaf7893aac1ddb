{#- The staging model delivering an entity for the chosen source system, found by convention:
    stg_<source_system>__<entity> when the source lists the entity, '' when it has none. -#}
{% macro entity_model(entity) %}
    {%- set systems = var("source_system_entities") -%}
    {%- set source_system = var("source_system") -%}
    {%- if source_system not in systems -%}
        {{ exceptions.raise_compiler_error(
            "Unknown source_system '" ~ source_system ~ "'; known: "
            ~ systems.keys() | join(", ")) }}
    {%- endif -%}
    {{ return("stg_" ~ source_system ~ "__" ~ entity if entity in systems[source_system] else "") }}
{% endmacro %}
