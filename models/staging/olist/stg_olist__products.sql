{#-
    Canonical products: one per raw product row. The category is translated into English with
    product_category_name_translation where the translation has it, else kept in Portuguese
    (pc_gamer and portateis_cozinha_e_preparadores_de_alimentos in the full dataset); empty
    when the product has none. Olist publishes no product names or prices.
-#}
with products as (

    select * from {{ ref('base_olist__products') }}

),

translations as (

    select * from {{ ref('base_olist__product_category_name_translation') }}

),

-- The first translation per category, so that a repeated category cannot multiply products.
first_translations as (

    select
        trim(category_portuguese) as category_key,
        category_english
    from translations
    qualify
        row_number() over (
            partition by trim(category_portuguese)
            order by source_row_number
        ) = 1

),

canonical as (

    select
        products.product_id,
        cast(null as {{ dbt.type_string() }}) as product_name,
        coalesce(
            nullif(trim(first_translations.category_english), ''),
            products.category_portuguese
        ) as category,
        cast(null as {{ dbt.type_string() }}) as list_price,
        products.category_portuguese,
        products.source_file,
        products.source_row_number
    from products
    left join first_translations
        on trim(products.category_portuguese) = first_translations.category_key

)

select * from canonical
