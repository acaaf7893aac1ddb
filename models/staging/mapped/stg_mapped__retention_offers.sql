{#- The retention_offers of the mapping file (macros/source_mapping.sql, docs/source_mapping.md). -#}
{{ mapped_entity('retention_offers') }}
