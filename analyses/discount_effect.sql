-- Do coupons pay? Revenue and order value with and without a coupon, and how deep discounts
-- go, per month.
with discounts as (

    select * from {{ ref('discounts_monthly') }}

)

select
    month_start_date,
    coupon_order_share,
    discount_depth,
    coupon_net_revenue,
    no_coupon_net_revenue,
    coupon_average_order_value,
    no_coupon_average_order_value
from discounts
order by month_start_date
