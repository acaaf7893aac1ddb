{#- Every cell of the 5 x 5 R x F grid has a segment in the seed rfm_segment_map. -#}
with segment_map as (

    select * from {{ ref('rfm_segment_map') }}

),

scores as (

    select five_scores.score
    from (values (1), (2), (3), (4), (5)) as five_scores (score)

)

select
    r_scores.score as r_score,
    f_scores.score as f_score
from scores as r_scores
cross join scores as f_scores
left join segment_map
    on
        r_scores.score = segment_map.r_score
        and f_scores.score = segment_map.f_score
where segment_map.rfm_segment is null
