with validated as (

    select * from {{ ref('int_retention_offers_validated') }}

)

select
    customer_id,
    offered_date,
    experiment_group,
    coupon_code,
    source_file,
    source_row_number
from validated
where quarantine_reason is null
