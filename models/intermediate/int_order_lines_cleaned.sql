with validated as (

    select * from {{ ref('int_order_lines_validated') }}

)

select
    order_id,
    line_number,
    ordered_at,
    customer_id,
    product_id,
    quantity,
    unit_price,
    discount_pct,
    coupon_code,
    return_of_order_id,
    source_file,
    source_row_number
from validated
where quarantine_reason is null
