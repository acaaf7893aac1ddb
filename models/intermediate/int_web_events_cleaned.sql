with validated as (

    select * from {{ ref('int_web_events_validated') }}

)

select
    event_id,
    session_id,
    event_at,
    customer_id,
    event_type,
    product_id,
    order_id,
    source_file,
    source_row_number
from validated
where quarantine_reason is null
