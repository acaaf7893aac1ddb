{#-
    The one placeholder product `cdnow_cds` that every CDNOW line points to (the files do not
    say which CDs were bought), so that order lines keep a product and product marts build
    with one row. Its source row is the first transaction line.
-#}
with transactions as (

    select * from {{ ref('base_cdnow__transactions') }}

),

first_line as (

    select
        product_id,
        source_file,
        source_row_number
    from transactions
    order by source_row_number
    limit 1

),

products as (

    select
        product_id,
        'CDs (titles not recorded)' as product_name,
        cast(null as varchar) as category,
        cast(null as varchar) as list_price,
        source_file,
        source_row_number
    from first_line

)

select * from products
