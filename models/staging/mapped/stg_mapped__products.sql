{#- The products of the mapping file: its own files when mapped, else one per product id on the
    order lines (name, category, list price from its first line). -#}
-- depends_on: {{ ref('base_mapped__order_lines') }}
{{ mapped_or_from_lines('products') }}
