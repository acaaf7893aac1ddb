{#- Top bundle suggestions: the product pairs and triples of basket_rules in which every
    product is lifted by the others, strongest first, with the revenue a bundle sale brought
    on average. -#}
with rules as (

    select * from {{ ref('basket_rules') }}

),

order_lines as (

    select * from {{ ref('fct_order_lines') }}
    where not is_return and is_merchandise

),

products as (

    select * from {{ ref('dim_products') }}

),

itemsets as (

    -- a bundle: a frequent pair or triple in which every product is lifted by the others,
    -- i.e. every rule (bundle minus one product) -> that product passed into basket_rules
    select
        list_sort(list_concat(antecedents, consequents)) as product_ids,
        max(support) as bundle_support,
        max(basket_count) as basket_count,
        min(lift) as lift,
        min(confidence) as min_confidence,
        max(confidence) as max_confidence
    from rules
    where consequent_size = 1
    group by list_sort(list_concat(antecedents, consequents))
    having count(*) = len(list_sort(list_concat(antecedents, consequents)))

),

maximal as (

    select
        itemsets.*,
        not exists (
            select 1 from itemsets as larger
            where
                len(larger.product_ids) > len(itemsets.product_ids)
                and list_has_all(larger.product_ids, itemsets.product_ids)
        ) as is_maximal
    from itemsets

),

ranked as (

    select
        *,
        row_number() over (
            order by lift desc, bundle_support desc, array_to_string(product_ids, '|')
        ) as bundle_rank
    from maximal
    qualify bundle_rank <= {{ var('basket_top_bundles') }}

),

members as (

    select
        ranked.bundle_rank,
        unnest(ranked.product_ids) as product_id
    from ranked

),

member_lines as (

    select
        members.bundle_rank,
        order_lines.order_id,
        count(distinct order_lines.product_id) as members_in_order,
        sum(order_lines.net_amount) as members_net_amount
    from members
    inner join order_lines on members.product_id = order_lines.product_id
    group by members.bundle_rank, order_lines.order_id

),

bundle_revenue as (

    select
        member_lines.bundle_rank,
        count(*) as bundle_orders,
        sum(member_lines.members_net_amount) as bundle_net_revenue
    from member_lines
    inner join ranked on member_lines.bundle_rank = ranked.bundle_rank
    where member_lines.members_in_order = len(ranked.product_ids)
    group by member_lines.bundle_rank

),

catalogue as (

    select
        members.bundle_rank,
        string_agg(
            coalesce(products.product_name, members.product_id), ' + '
            order by members.product_id
        ) as product_names,
        sum(products.list_price) as bundle_list_price
    from members
    left join products on members.product_id = products.product_id
    group by members.bundle_rank

)

select
    cast(ranked.bundle_rank as {{ dbt.type_bigint() }}) as bundle_rank,
    array_to_string(ranked.product_ids, '|') as bundle_key,
    ranked.product_ids,
    catalogue.product_names,
    cast(len(ranked.product_ids) as {{ dbt.type_bigint() }}) as bundle_size,
    ranked.bundle_support,
    ranked.basket_count,
    ranked.lift,
    ranked.min_confidence,
    ranked.max_confidence,
    ranked.is_maximal,
    catalogue.bundle_list_price,
    bundle_revenue.bundle_orders,
    bundle_revenue.bundle_net_revenue,
    bundle_revenue.bundle_net_revenue / nullif(bundle_revenue.bundle_orders, 0)
        as expected_bundle_revenue
from ranked
left join catalogue on ranked.bundle_rank = catalogue.bundle_rank
left join bundle_revenue on ranked.bundle_rank = bundle_revenue.bundle_rank
