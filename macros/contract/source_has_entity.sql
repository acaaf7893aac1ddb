{% macro source_has_entity(entity) %}
    {%- if var("source_system") == "mapped" and execute -%}
        {{ return(mapping_provides(entity)) }}
    {%- endif -%}
    {{ return(entity_model(entity) != "") }}
{% endmacro %}
