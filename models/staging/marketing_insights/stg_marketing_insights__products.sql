{#-
    Canonical products, derived from the sales lines (there is no catalogue): one row per
    distinct SKU, description and category, from the first line where it appears. A SKU sold
    under two descriptions or categories thus yields two rows, and the contract quarantines the
    later one as conflicting_duplicate. No list price: Avg_Price varies from line to line.
-#}
with sales as (

    select * from {{ ref('base_marketing_insights__online_sales') }}

),

products as (

    select
        product_id,
        product_name,
        category,
        cast(null as {{ dbt.type_string() }}) as list_price,
        source_file,
        source_row_number
    from sales
    qualify
        row_number() over (
            partition by product_id, product_name, category
            order by source_row_number
        ) = 1

)

select * from products
