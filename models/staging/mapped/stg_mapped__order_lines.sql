{#- The order_lines of the mapping file (macros/source_mapping.sql, docs/source_mapping.md). -#}
{{ mapped_entity('order_lines') }}
