{#- The retention_offers of the mapping file (docs/source_mapping.md). -#}
{{ mapped_entity('retention_offers') }}
