{#- Every customer with a purchase on or before the as-of date (from fct_orders, independently
    of customer_features) has exactly one row in customer_rfm and one in customer_segments,
    and nobody else has one. -#}
with orders as (

    select * from {{ ref('fct_orders') }}

),

rfm as (

    select * from {{ ref('customer_rfm') }}

),

segments as (

    select * from {{ ref('customer_segments') }}

),

buyers as (

    select distinct customer_id
    from orders
    where
        customer_id is not null
        and not is_return
        and order_date <= (select as_of_date from {{ ref('int_as_of_date') }})

),

rfm_rows as (

    select
        customer_id,
        count(*) as row_count
    from rfm
    group by customer_id

),

segment_rows as (

    select
        customer_id,
        count(*) as row_count
    from segments
    group by customer_id

)

select
    coalesce(buyers.customer_id, rfm_rows.customer_id, segment_rows.customer_id)
        as customer_id,
    buyers.customer_id is not null as is_buyer,
    rfm_rows.row_count as rfm_row_count,
    segment_rows.row_count as segment_row_count
from buyers
full outer join rfm_rows
    on buyers.customer_id = rfm_rows.customer_id
full outer join segment_rows
    on coalesce(buyers.customer_id, rfm_rows.customer_id) = segment_rows.customer_id
where
    buyers.customer_id is null
    or rfm_rows.row_count is distinct from 1
    or segment_rows.row_count is distinct from 1
