{#- The shipments of the mapping file: its own files when mapped, else one per order with a
    delivery charge on the order lines. -#}
-- depends_on: {{ ref('base_mapped__order_lines') }}
{{ mapped_or_from_lines('shipments') }}
