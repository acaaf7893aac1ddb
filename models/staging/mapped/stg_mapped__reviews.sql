{#- The reviews of the mapping file (macros/source_mapping.sql, docs/source_mapping.md). -#}
{{ mapped_entity('reviews') }}
