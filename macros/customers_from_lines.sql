{#-
    Customers of a source that has no customer table, derived from its transaction lines: one
    row per customer id (compared after clean_text), whose first line in file order gives the
    source row and, when the source has one, the country. Lines without a customer id (guest
    checkouts) make no customer. Columns as the canonical customers entity.
-#}
{% macro customers_from_lines(lines_model, country_column=none) %}
with lines as (

    select * from {{ ref(lines_model) }}

),

appearances as (

    select
        customer_id,
        {{ country_column or 'cast(null as varchar)' }} as country,
        source_file,
        source_row_number,
        row_number() over (
            partition by {{ clean_text('customer_id') }}
            order by source_row_number
        ) as appearance_number
    from lines
    where {{ clean_text('customer_id') }} is not null

)

select
    customer_id,
    cast(null as varchar) as signup_date,
    cast(null as varchar) as gender,
    country,
    cast(null as varchar) as city,
    source_file,
    source_row_number
from appearances
where appearance_number = 1
{% endmacro %}
