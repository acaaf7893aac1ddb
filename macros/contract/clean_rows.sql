{# The clean rows of an entity: its validated rows without a quarantine reason. #}
{% macro clean_rows(entity) %}
with validated as (

    select * from {{ ref("int_" ~ entity ~ "_validated") }}

)

select
    {%- for column in canonical_entities()[entity]["columns"] %}
    {{ column.name }},
    {%- endfor %}
    source_file,
    source_row_number
from validated
where quarantine_reason is null
{% endmacro %}
