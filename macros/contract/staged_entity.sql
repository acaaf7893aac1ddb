{#- The staged rows of an entity for the chosen source system: its staging model, or an empty
    relation with the same columns when the source lacks the entity. -#}
{% macro staged_entity(entity) %}
    {%- if source_has_entity(entity) -%}
        select * from {{ ref(entity_model(entity)) }}
    {%- else -%}
        select
        {%- for column in canonical_entities()[entity]["columns"] %}
            cast(null as {{ dbt.type_string() }}) as {{ column.name }},
        {%- endfor %}
            cast(null as {{ dbt.type_string() }}) as source_file,
            cast(null as {{ dbt.type_bigint() }}) as source_row_number
        where 1 = 0
    {%- endif -%}
{% endmacro %}
