{#- The web shop's funnel by month of session start: sessions, and how many reached a product
    view, the cart and a purchase. No rows when the source has no web events. -#}
with web_events as (

    select * from {{ ref('int_web_events_cleaned') }}

),

sessions as (

    select
        session_id,
        cast({{ dbt.date_trunc('month', 'min(event_at)') }} as date) as month_start_date,
        max(case when customer_id is not null then 1 else 0 end) = 1 as is_logged_in,
        max(case when event_type = 'product_view' then 1 else 0 end) = 1 as has_product_view,
        max(case when event_type = 'add_to_cart' then 1 else 0 end) = 1 as has_add_to_cart,
        max(case when event_type = 'purchase' then 1 else 0 end) = 1 as has_purchase,
        count(*) as events
    from web_events
    group by session_id

)

select
    -- ids
    month_start_date,
    -- numerics
    count(*) as sessions,
    count(case when is_logged_in then 1 end) as logged_in_sessions,
    count(case when has_product_view then 1 end) as product_view_sessions,
    count(case when has_add_to_cart then 1 end) as add_to_cart_sessions,
    count(case when has_purchase then 1 end) as purchase_sessions,
    avg(events) as average_events_per_session,
    avg(case when has_product_view then 1 else 0 end) as product_view_rate,
    avg(case when has_add_to_cart then 1 else 0 end) as add_to_cart_rate,
    avg(case when has_purchase then 1 else 0 end) as conversion_rate,
    cast(count(case when has_add_to_cart and has_purchase then 1 end) as double)
    / nullif(count(case when has_add_to_cart then 1 end), 0) as cart_to_purchase_rate
from sessions
group by month_start_date
