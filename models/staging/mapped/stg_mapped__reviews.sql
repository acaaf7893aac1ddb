{#- The reviews of the mapping file (docs/source_mapping.md). -#}
{{ mapped_entity('reviews') }}
