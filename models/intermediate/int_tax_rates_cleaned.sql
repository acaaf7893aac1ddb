with validated as (

    select * from {{ ref('int_tax_rates_validated') }}

)

select
    category,
    tax_rate,
    source_file,
    source_row_number
from validated
where quarantine_reason is null
