{#-
    One row per stock code on the invoice lines (the export has no catalogue): the product's
    first line in file order gives the source row; its name is its most common description
    (ties: the one seen first). No category or list price in this source.
-#}
with invoice_lines as (

    select * from {{ ref('base_online_retail__invoice_lines') }}

),

lines as (

    select
        product_id,
        {{ clean_text('product_id') }} as product_key,
        {{ clean_text('product_name') }} as product_name,
        source_file,
        source_row_number
    from invoice_lines
    where {{ clean_text('product_id') }} is not null

),

names as (

    select
        product_key,
        product_name,
        row_number() over (
            partition by product_key
            order by count(*) desc, min(source_row_number)
        ) as name_rank
    from lines
    where product_name is not null
    group by product_key, product_name

),

first_lines as (

    select
        product_id,
        product_key,
        source_file,
        source_row_number,
        row_number() over (
            partition by product_key
            order by source_row_number
        ) as appearance_number
    from lines

),

products as (

    select
        first_lines.product_id,
        names.product_name,
        cast(null as varchar) as category,
        cast(null as varchar) as list_price,
        first_lines.source_file,
        first_lines.source_row_number
    from first_lines
    left join names
        on
            first_lines.product_key = names.product_key
            and names.name_rank = 1
    where first_lines.appearance_number = 1

)

select * from products
