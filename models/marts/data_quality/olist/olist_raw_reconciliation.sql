{#-
    Each Olist raw table that feeds the contract, in raw rows: how many the file has, how
    many of them are in clean canonical rows and how many in quarantined ones (raw = clean +
    quarantined). Raw rows map to canonical rows as the base models say: an order is one
    shipment; an item is one unit (quantity) of an order line; a per-order customer record
    belongs to its person's canonical customer; a product is one product. Payments and the
    category translation feed no canonical entity (payments: olist_payment_reconciliation).
-#}
{{ config(materialized="table") }}
with customer_records as (

    select
        source_row_number,
        -- The canonical customer is the person's first record (or the record itself when it
        -- has no customer_unique_id): see stg_olist__customers.
        case
            when customer_unique_id is null then source_row_number
            else min(source_row_number) over (partition by customer_unique_id)
        end as person_row_number
    from {{ ref('base_olist__customers') }}

),

-- Per raw table, each raw row with whether its canonical row is quarantined (null: none).
orders as (

    select
        'olist_orders_dataset' as raw_table,
        'shipments' as canonical_entity,
        1 as raw_rows,
        validated.quarantine_reason is not null as is_quarantined
    from {{ ref('base_olist__orders') }} as raw_file
    left join {{ ref('int_shipments_validated') }} as validated
        on raw_file.source_row_number = validated.source_row_number

),

items as (

    -- One row per order line, standing for its quantity (its number of raw items).
    select
        'olist_order_items_dataset' as raw_table,
        'order_lines' as canonical_entity,
        quantity as raw_rows,
        quarantine_reason is not null as is_quarantined
    from {{ ref('int_order_lines_validated') }}

    union all

    -- Minus the raw items, so that raw items not in any line would show.
    select
        'olist_order_items_dataset' as raw_table,
        'order_lines' as canonical_entity,
        -1 as raw_rows,
        null as is_quarantined
    from {{ ref('base_olist__order_items') }}

),

customers as (

    select
        'olist_customers_dataset' as raw_table,
        'customers' as canonical_entity,
        1 as raw_rows,
        validated.quarantine_reason is not null as is_quarantined
    from customer_records
    left join {{ ref('int_customers_validated') }} as validated
        on customer_records.person_row_number = validated.source_row_number

),

products as (

    select
        'olist_products_dataset' as raw_table,
        'products' as canonical_entity,
        1 as raw_rows,
        validated.quarantine_reason is not null as is_quarantined
    from {{ ref('base_olist__products') }} as raw_file
    left join {{ ref('int_products_validated') }} as validated
        on raw_file.source_row_number = validated.source_row_number

),

raw_rows as (

    select * from orders
    union all
    select * from items
    union all
    select * from customers
    union all
    select * from products

),

counts as (

    select
        raw_table,
        canonical_entity,
        -- Items: the raw file's rows (the lines' units net of them are checked below).
        -- bigint: DuckDB's sum of integers is a hugeint, which BI drivers may not read.
        cast(case
            when raw_table = 'olist_order_items_dataset'
                then -sum(raw_rows) filter (where is_quarantined is null)
            else sum(raw_rows)
        end as bigint) as raw_rows,
        cast(coalesce(sum(raw_rows) filter (where not is_quarantined), 0) as bigint)
            as clean_raw_rows,
        cast(coalesce(sum(raw_rows) filter (where is_quarantined), 0) as bigint)
            as quarantined_raw_rows
    from raw_rows
    group by raw_table, canonical_entity

)

select
    raw_table,
    canonical_entity,
    raw_rows,
    clean_raw_rows,
    quarantined_raw_rows,
    raw_rows = clean_raw_rows + quarantined_raw_rows as is_reconciled
from counts
