-- The ten best-selling products by units and by revenue, with their return rates.
with products as (

    select * from {{ ref('product_performance') }}

)

select
    product_id,
    product_name,
    category,
    quantity_rank,
    revenue_rank,
    units_sold,
    net_revenue,
    return_rate
from products
where quantity_rank <= 10 or revenue_rank <= 10
order by revenue_rank, quantity_rank
