with products as (

    select * from {{ ref('int_products_cleaned') }}

),

tax_rates as (

    select * from {{ ref('int_tax_rates_cleaned') }}

),

non_merchandise as (

    select * from {{ ref('non_merchandise_stock_codes') }}
    where source_system = '{{ var("source_system") }}'

),

order_lines as (

    select * from {{ ref('fct_order_lines') }}

),

product_sales as (

    select
        product_id,
        min(order_date) as first_sold_date,
        max(order_date) as last_sold_date,
        cast(sum(case when not is_return then quantity else 0 end) as {{ dbt.type_bigint() }})
            as units_sold,
        cast(-sum(case when is_return then quantity else 0 end) as {{ dbt.type_bigint() }})
            as units_returned,
        sum(net_amount) as net_amount
    from order_lines
    group by product_id

),

-- Products from the catalogue, plus products that only appear on order lines.
all_products as (

    select product_id from products
    union
    select product_id from product_sales

)

select
    -- ids
    all_products.product_id,
    -- attributes
    products.product_name,
    products.category,
    products.product_id is not null as is_in_catalogue,
    non_merchandise.product_id is null as is_merchandise,
    non_merchandise.kind as non_merchandise_kind,
    -- dates
    product_sales.first_sold_date,
    product_sales.last_sold_date,
    -- numerics
    products.list_price,
    tax_rates.tax_rate,
    coalesce(product_sales.units_sold, 0) as units_sold,
    coalesce(product_sales.units_returned, 0) as units_returned,
    coalesce(product_sales.net_amount, 0) as net_amount
from all_products
left join products
    on all_products.product_id = products.product_id
left join tax_rates
    on products.category = tax_rates.category
left join non_merchandise
    on all_products.product_id = non_merchandise.product_id
left join product_sales
    on all_products.product_id = product_sales.product_id
