{#- The marketing_spend of the mapping file (docs/source_mapping.md). -#}
{{ mapped_entity('marketing_spend') }}
