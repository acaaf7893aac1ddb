with validated as (

    select * from {{ ref('int_customers_validated') }}

)

select
    customer_id,
    signup_date,
    gender,
    country,
    city,
    source_file,
    source_row_number
from validated
where quarantine_reason is null
