{#- Fails (or warns, with severity warn) when the model has no rows. -#}
{% test has_rows(model) %}

select 0 as row_count
where not exists (select 1 from {{ model }})

{% endtest %}
