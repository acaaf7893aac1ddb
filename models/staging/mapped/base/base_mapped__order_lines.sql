{#- Materialised: its rows feed the order lines, customers, products, shipments and the row
    reconciliation, and filling down and reversing once is cheaper than in each view. -#}
{{ config(materialized="table") }}
{#- The order_lines of the mapping file (docs/source_mapping.md). -#}
{{ mapped_entity('order_lines') }}
