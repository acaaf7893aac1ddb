{#- The shipments of the mapping file: read from their own files when mapped, else one per
    order with a delivery charge on the order lines (the charge of its first line). -#}
{%- set spec = mapping_entity(source_mapping(), 'shipments') -%}
{%- if spec.get('files') or spec.get('table') -%}
    -- depends_on: {{ ref('stg_mapped__order_lines') }}
    {{ mapped_entity('shipments') }}
{%- else -%}
with order_lines as (

    select * from {{ ref('stg_mapped__order_lines') }}

)

select
    order_id,
    delivery_charge,
    cast(null as varchar) as promised_delivery_date,
    cast(null as varchar) as delivered_date,
    source_file,
    source_row_number
from order_lines
where delivery_charge is not null
{%- endif %}
