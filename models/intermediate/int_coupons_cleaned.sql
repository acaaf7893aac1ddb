with validated as (

    select * from {{ ref('int_coupons_validated') }}

)

select
    coupon_code,
    category,
    discount_pct,
    valid_from,
    valid_to,
    source_file,
    source_row_number
from validated
where quarantine_reason is null
