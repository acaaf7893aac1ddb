{# The model delivering an entity for the chosen source system ('' when it has none). #}
{% macro entity_model(entity) %}
    {%- set systems = var("source_system_entities") -%}
    {%- if var("source_system") not in systems -%}
        {{ exceptions.raise_compiler_error(
            "Unknown source_system '" ~ var("source_system") ~ "'; known: "
            ~ systems.keys() | join(", ")) }}
    {%- endif -%}
    {{ return(systems[var("source_system")].get(entity, "")) }}
{% endmacro %}
