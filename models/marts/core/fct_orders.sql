{{ config(**order_facts_config()) }}

with order_lines as (

    select * from {{ ref('fct_order_lines') }}
    {%- if is_incremental() %}
    where order_date >= {{ incremental_window_start() }}
    {%- endif %}

),

shipments as (

    select * from {{ ref('int_shipments_cleaned') }}

),

reviews as (

    select * from {{ ref('int_reviews_cleaned') }}

),

order_reviews as (

    select
        order_id,
        count(*) as review_count,
        avg(rating) as review_rating
    from reviews
    group by order_id

),

orders as (

    select
        order_id,
        max(customer_id) as customer_id,
        max(return_of_order_id) as return_of_order_id,
        max(coupon_code) as coupon_code,
        min(ordered_at) as ordered_at,
        min(case when is_return then 1 else 0 end) = 1 as is_return,
        count(*) as line_count,
        count(distinct product_id) as product_count,
        cast(sum(quantity) as {{ dbt.type_bigint() }}) as item_quantity,
        sum(gross_amount) as gross_amount,
        sum(discount_amount) as discount_amount,
        sum(net_amount) as net_amount,
        sum(tax_amount) as tax_amount,
        sum(delivery_charge) as delivery_charge,
        sum(line_total) as order_total
    from order_lines
    group by order_id

),

{%- if is_incremental() %}

-- The orders built before the rebuilt dates, per customer: the numbering continues after them.
earlier_orders as (

    select
        customer_id,
        is_return,
        count(*) as order_count
    from {{ this }}
    where order_date < {{ incremental_window_start() }}
    group by customer_id, is_return

),
{%- endif %}

-- Customers' orders numbered in time order; returns are numbered apart, then ignored.
sequenced as (

    select
        orders.*,
        {%- if is_incremental() %}
        coalesce(earlier_orders.order_count, 0) +
        {%- endif %}
        -- bigint on both engines (Spark's row_number() is an int)
        cast(row_number() over (
            partition by orders.customer_id, orders.is_return
            order by orders.ordered_at, orders.order_id
        ) as {{ dbt.type_bigint() }}) as order_rank
    from orders
    {%- if is_incremental() %}
    left join earlier_orders
        on
            orders.customer_id = earlier_orders.customer_id
            and orders.is_return = earlier_orders.is_return
    {%- endif %}

)

select
    -- ids
    sequenced.order_id,
    sequenced.customer_id,
    sequenced.return_of_order_id,
    sequenced.coupon_code,
    -- dates
    sequenced.ordered_at,
    cast(sequenced.ordered_at as date) as order_date,
    shipments.promised_delivery_date,
    shipments.delivered_date,
    -- attributes
    sequenced.is_return,
    sequenced.customer_id is null as is_guest,
    sequenced.coupon_code is not null as has_coupon,
    case
        when not sequenced.is_return and sequenced.customer_id is not null
            then sequenced.order_rank
    end as customer_order_number,
    case
        when not sequenced.is_return and sequenced.customer_id is not null
            then sequenced.order_rank = 1
    end as is_first_order,
    case
        when shipments.order_id is not null then shipments.delivered_date is not null
    end as is_delivered,
    shipments.delivered_date > shipments.promised_delivery_date as is_late_delivery,
    {{ dbt.datediff('shipments.promised_delivery_date', 'shipments.delivered_date', 'day') }}
        as delivery_delay_days,
    order_reviews.review_rating,
    coalesce(order_reviews.review_count, 0) as review_count,
    -- numerics
    sequenced.line_count,
    sequenced.product_count,
    sequenced.item_quantity,
    sequenced.gross_amount,
    sequenced.discount_amount,
    sequenced.net_amount,
    sequenced.tax_amount,
    sequenced.delivery_charge,
    sequenced.order_total
from sequenced
left join shipments
    on sequenced.order_id = shipments.order_id
left join order_reviews
    on sequenced.order_id = order_reviews.order_id
