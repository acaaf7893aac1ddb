with validated as (

    select * from {{ ref('int_products_validated') }}

)

select
    product_id,
    product_name,
    category,
    list_price,
    source_file,
    source_row_number
from validated
where quarantine_reason is null
