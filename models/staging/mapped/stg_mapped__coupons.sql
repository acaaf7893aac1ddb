{#- The coupons of the mapping file (docs/source_mapping.md). -#}
{{ mapped_entity('coupons') }}
