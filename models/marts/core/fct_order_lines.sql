{{ config(**order_facts_config()) }}

with order_lines as (

    select * from {{ ref('int_order_lines_cleaned') }}
    {%- if is_incremental() %}
    where cast(ordered_at as date) >= {{ incremental_window_start() }}
    {%- endif %}

),

products as (

    select * from {{ ref('int_products_cleaned') }}

),

tax_rates as (

    select * from {{ ref('int_tax_rates_cleaned') }}

),

shipments as (

    select * from {{ ref('int_shipments_cleaned') }}

),

non_merchandise as (

    select * from {{ ref('non_merchandise_stock_codes') }}
    where source_system = '{{ var("source_system") }}'

),

priced as (

    select
        order_lines.order_id,
        order_lines.line_number,
        order_lines.customer_id,
        order_lines.product_id,
        products.category,
        non_merchandise.product_id is null as is_merchandise,
        order_lines.ordered_at,
        order_lines.quantity,
        order_lines.unit_price,
        coalesce(order_lines.discount_pct, 0) as discount_pct,
        tax_rates.tax_rate,
        order_lines.coupon_code,
        order_lines.return_of_order_id,
        order_lines.quantity * order_lines.unit_price as gross_amount,
        shipments.delivery_charge as order_delivery_charge
    from order_lines
    left join products
        on order_lines.product_id = products.product_id
    left join tax_rates
        on products.category = tax_rates.category
    left join shipments
        on order_lines.order_id = shipments.order_id
    left join non_merchandise
        on order_lines.product_id = non_merchandise.product_id

),

amounts as (

    select
        *,
        -- + 0.0 turns the -0.0 of a return without discount into 0.0
        gross_amount * discount_pct + 0.0 as discount_amount,
        gross_amount * (1 - discount_pct) as net_amount,
        gross_amount * (1 - discount_pct) * tax_rate as tax_amount,
        -- The order's delivery charge shared over its lines by gross amount (evenly when the
        -- order's gross is zero), so that lines add up to the order.
        order_delivery_charge * case
            when sum(gross_amount) over (partition by order_id) = 0
                then 1.0 / count(*) over (partition by order_id)
            else gross_amount / sum(gross_amount) over (partition by order_id)
        end as delivery_charge
    from priced

)

select
    -- ids
    order_id || '-' || cast(line_number as {{ dbt.type_string() }}) as order_line_id,
    order_id,
    line_number,
    customer_id,
    product_id,
    return_of_order_id,
    coupon_code,
    -- dates
    ordered_at,
    cast(ordered_at as date) as order_date,
    -- attributes
    category,
    is_merchandise,
    quantity < 0 as is_return,
    customer_id is null as is_guest,
    -- numerics
    quantity,
    unit_price,
    discount_pct,
    tax_rate,
    gross_amount,
    discount_amount,
    net_amount,
    tax_amount,
    delivery_charge,
    net_amount + coalesce(tax_amount, 0) + coalesce(delivery_charge, 0) as line_total
from amounts
