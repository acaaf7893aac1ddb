{#-
    Canonical order lines from the raw order items (olist_order_items_dataset). Olist has one
    row per unit: two units of a product are two items, identical but for order_item_id. The
    contract compares order lines without their line_number (some exports number lines in
    staging), so one line per item would quarantine every second unit as a `duplicate`.
    Hence one line per order, product and price: quantity = its number of items, line_number =
    its first order_item_id, order_item_ids lists them all (sum of quantity = raw items). The
    order's purchase timestamp and customer come from the orders and customers tables:
    * customer_id is the person (customers.customer_unique_id), not the per-order customer
      record; an order whose customer record is missing from the customers table gets no
      customer (a guest order: the line is kept);
    * an item whose order is missing from the orders table has no ordered_at, so the contract
      quarantines it as missing_ordered_at.
    An order_item_id repeated within an order (a copied row) is not counted as a unit: the
    copy becomes a line of its own with the same line_number, which the contract quarantines
    as duplicate (or conflicting_duplicate). Every item is a line whatever the order's status
    (canceled and unavailable orders included); order_status is passed on for a future
    canonical column.
-#}
with items as (

    select * from {{ ref('base_olist__order_items') }}

),

orders as (

    select * from {{ ref('base_olist__orders') }}

),

customers as (

    select * from {{ ref('base_olist__customers') }}

),

-- The first row per id, so that an id repeated in a raw file cannot multiply the items.
first_orders as (

    select
        trim(order_id) as order_key,
        ordered_at,
        order_status,
        trim(order_customer_id) as order_customer_key
    from orders
    qualify row_number() over (partition by trim(order_id) order by source_row_number) = 1

),

first_customers as (

    select
        trim(order_customer_id) as order_customer_key,
        customer_unique_id
    from customers
    qualify
        row_number() over (
            partition by trim(order_customer_id)
            order by source_row_number
        ) = 1

),

items_in_orders as (

    select
        items.*,
        first_orders.ordered_at,
        first_orders.order_status,
        first_customers.customer_unique_id as customer_id,
        -- 1 for the first row of each order_item_id of an order; > 1 for copies.
        row_number() over (
            partition by trim(items.order_id), trim(items.line_number)
            order by items.source_row_number
        ) as item_copy
    from items
    left join first_orders
        on trim(items.order_id) = first_orders.order_key
    left join first_customers
        on first_orders.order_customer_key = first_customers.order_customer_key

),

units as (

    select
        *,
        -- The first item of the same order, product and price: the line the unit belongs to.
        first_value(line_number) over (
            partition by order_id, product_id, unit_price
            order by source_row_number
        ) as line_of_unit
    from items_in_orders

),

lines as (

    select
        order_id,
        line_of_unit as line_number,
        any_value(ordered_at) as ordered_at,
        any_value(customer_id) as customer_id,
        product_id,
        cast(count(*) as {{ dbt.type_string() }}) as quantity,
        unit_price,
        cast(null as {{ dbt.type_string() }}) as discount_pct,
        cast(null as {{ dbt.type_string() }}) as coupon_code,
        cast(null as {{ dbt.type_string() }}) as return_of_order_id,
        any_value(order_status) as order_status,
        string_agg(line_number, ',' order by source_row_number) as order_item_ids,
        min(source_file) as source_file,
        min(source_row_number) as source_row_number
    from units
    where item_copy = 1
    group by order_id, product_id, unit_price, line_of_unit

),

copies as (

    select
        order_id,
        line_of_unit as line_number,
        ordered_at,
        customer_id,
        product_id,
        '1' as quantity,
        unit_price,
        cast(null as {{ dbt.type_string() }}) as discount_pct,
        cast(null as {{ dbt.type_string() }}) as coupon_code,
        cast(null as {{ dbt.type_string() }}) as return_of_order_id,
        order_status,
        line_number as order_item_ids,
        source_file,
        source_row_number
    from units
    where item_copy > 1

)

select * from lines
union all
select * from copies
