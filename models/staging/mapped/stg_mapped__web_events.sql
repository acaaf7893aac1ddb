{#- The web_events of the mapping file (docs/source_mapping.md). -#}
{{ mapped_entity('web_events') }}
