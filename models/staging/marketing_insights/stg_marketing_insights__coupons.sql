{#-
    The canonical coupons: base_marketing_insights__discount_coupon as it is. The parsing is
    in the base model because the order lines match their coupon on its parsed keys, and a
    staging model reads only raw tables or base models.
-#}
select * from {{ ref('base_marketing_insights__discount_coupon') }}  -- noqa: AM04
