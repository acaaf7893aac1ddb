{#- The customers of the mapping file: its own files when mapped, else one per customer id on
    the order lines (country from its first line). -#}
-- depends_on: {{ ref('base_mapped__order_lines') }}
{{ mapped_or_from_lines('customers') }}
