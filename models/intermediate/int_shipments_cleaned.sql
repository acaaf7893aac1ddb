with validated as (

    select * from {{ ref('int_shipments_validated') }}

)

select
    order_id,
    delivery_charge,
    promised_delivery_date,
    delivered_date,
    source_file,
    source_row_number
from validated
where quarantine_reason is null
