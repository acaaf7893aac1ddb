{#- The products of the mapping file: read from their own files when mapped, else one per
    product id on the order lines, its name, category and list price from its first line. -#}
{%- set spec = mapping_entity(source_mapping(), 'products') -%}
{%- if spec.get('files') or spec.get('table') -%}
    -- depends_on: {{ ref('stg_mapped__order_lines') }}
    {{ mapped_entity('products') }}
{%- else -%}
with order_lines as (

    select * from {{ ref('stg_mapped__order_lines') }}

),

appearances as (

    select
        product_id,
        product_name,
        category,
        list_price,
        source_file,
        source_row_number,
        row_number() over (
            partition by {{ clean_text('product_id') }}
            order by source_row_number, source_file
        ) as appearance_number
    from order_lines
    where {{ clean_text('product_id') }} is not null

)

select
    product_id,
    product_name,
    category,
    list_price,
    source_file,
    source_row_number
from appearances
where appearance_number = 1
{%- endif %}
