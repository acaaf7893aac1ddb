{#- validate_entity's CTEs for an incremental run, after its `staged`: `validated_before` (the
    model's rows so far), how far into each raw file they reach, and `new_rows` (the staged
    rows appended since). -#}
{% macro incremental_new_rows() %}
validated_before as (

    select * from {{ this }}

),

rows_validated_per_file as (

    select
        source_file,
        max(source_row_number) as last_row_number
    from validated_before
    group by source_file

),

new_rows as (

    select staged.*
    from staged
    left join rows_validated_per_file
        on staged.source_file = rows_validated_per_file.source_file
    where staged.source_row_number > coalesce(rows_validated_per_file.last_row_number, 0)

)
{% endmacro %}
