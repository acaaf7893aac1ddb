{#- The customers of the mapping file: read from their own files when mapped, else one per
    customer id on the order lines (country from the line, as mapped). -#}
{%- set spec = mapping_entity(source_mapping(), 'customers') -%}
{%- if spec.get('files') or spec.get('table') -%}
    -- depends_on: {{ ref('stg_mapped__order_lines') }}
    {{ mapped_entity('customers') }}
{%- else -%}
    {{ customers_from_lines('stg_mapped__order_lines', country_column='country') }}
{%- endif %}
