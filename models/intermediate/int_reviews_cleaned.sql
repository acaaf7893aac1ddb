with validated as (

    select * from {{ ref('int_reviews_validated') }}

)

select
    review_id,
    order_id,
    rating,
    reviewed_at,
    source_file,
    source_row_number
from validated
where quarantine_reason is null
