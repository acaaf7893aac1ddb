{#- customer_segment_model flags exactly one k as chosen, and customer_segments uses it. -#}
with model_selection as (

    select * from {{ ref('customer_segment_model') }}

),

segments as (

    select * from {{ ref('customer_segments') }}

),

chosen as (

    select
        count(*) as chosen_count,
        max(k) as chosen_k
    from model_selection
    where is_chosen

),

used as (

    select
        count(distinct n_clusters) as distinct_k,
        max(n_clusters) as used_k,
        count(distinct cluster_id) as used_clusters,
        count(*) as customers
    from segments

)

select
    chosen.chosen_count,
    chosen.chosen_k,
    used.used_k,
    used.used_clusters
from chosen
cross join used
where
    chosen.chosen_count != 1
    or (used.customers > 0 and (used.distinct_k != 1 or used.used_k != chosen.chosen_k))
    or used.used_clusters > chosen.chosen_k
