with validated as (

    select * from {{ ref('int_marketing_spend_validated') }}

)

select
    spend_date,
    channel,
    spend,
    source_file,
    source_row_number
from validated
where quarantine_reason is null
