{#- For each product, the best products to show next to it: the single-product rules
    product -> recommended product of basket_rules, strongest lift first. -#}
with rules as (

    select * from {{ ref('basket_rules') }}
    where antecedent_size = 1 and consequent_size = 1

),

products as (

    select * from {{ ref('dim_products') }}

),

ranked as (

    select
        rules.antecedents[1] as product_id,
        rules.consequents[1] as recommended_product_id,
        rules.rule_id,
        rules.support,
        rules.confidence,
        rules.lift,
        rules.basket_count,
        row_number() over (
            partition by rules.antecedents[1]
            order by rules.lift desc, rules.confidence desc, rules.consequents[1]
        ) as recommendation_rank
    from rules
    qualify recommendation_rank <= {{ var('basket_recommendations_per_product') }}

)

select
    ranked.product_id,
    cast(ranked.recommendation_rank as {{ dbt.type_bigint() }}) as recommendation_rank,
    products.product_name,
    ranked.recommended_product_id,
    recommended.product_name as recommended_product_name,
    ranked.rule_id,
    ranked.support,
    ranked.confidence,
    ranked.lift,
    ranked.basket_count
from ranked
left join products on ranked.product_id = products.product_id
left join products as recommended on ranked.recommended_product_id = recommended.product_id
