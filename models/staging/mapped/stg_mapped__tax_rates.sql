{#- The tax_rates of the mapping file (docs/source_mapping.md). -#}
{{ mapped_entity('tax_rates') }}
