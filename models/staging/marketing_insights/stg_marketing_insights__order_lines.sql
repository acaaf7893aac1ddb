{#-
    Canonical order lines: one per raw Online_Sales row. The discount is the case study's rule:
    a line whose Coupon_Status is `Used` gets the coupon of its transaction's month and its
    category (none for categories without coupons: discount 0); `Clicked` and `Not Used`
    lines get none. Any other status leaves the discount unreadable on purpose (the text
    `Coupon_Status <status>`), so that the contract quarantines the line as
    invalid_discount_pct instead of guessing.
-#}
with sales as (

    select * from {{ ref('base_marketing_insights__online_sales') }}

),

coupons as (

    select * from {{ ref('base_marketing_insights__discount_coupon') }}

),

-- At most one coupon per month and category (the first in file order), so no line is doubled.
monthly_coupons as (

    select
        coupon_month,
        category_key,
        coupon_code,
        discount_pct
    from coupons
    where coupon_month is not null
    qualify
        row_number() over (
            partition by coupon_month, category_key
            order by source_row_number
        ) = 1

),

lines as (

    select
        sales.order_id,
        sales.line_number,
        sales.ordered_at,
        sales.customer_id,
        sales.product_id,
        sales.quantity,
        sales.unit_price,
        case lower(trim(sales.coupon_status))
            when 'used' then coalesce(monthly_coupons.discount_pct, '0')
            when 'clicked' then '0'
            when 'not used' then '0'
            else 'Coupon_Status ' || coalesce(sales.coupon_status, 'empty')
        end as discount_pct,
        case
            when lower(trim(sales.coupon_status)) = 'used' then monthly_coupons.coupon_code
        end as coupon_code,
        cast(null as {{ dbt.type_string() }}) as return_of_order_id,
        -- The export records sales only.
        'completed' as order_status,
        sales.source_file,
        sales.source_row_number
    from sales
    left join monthly_coupons
        on
            month(try_cast(sales.ordered_at as date)) = monthly_coupons.coupon_month
            and lower(trim(sales.category)) = monthly_coupons.category_key

)

select * from lines
