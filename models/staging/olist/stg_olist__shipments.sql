{#-
    Canonical shipments: one per raw order (olist_orders_dataset), with
    * delivery_charge: the sum of the freight_value of the order's items, each order_item_id
      once (a copied item row is quarantined with the order lines; its freight is not counted
      twice); null for an order without items; when an item's freight cannot be read, the
      text `freight_value <raw>`, so that the contract quarantines the shipment as
      invalid_delivery_charge instead of summing what it can read;
    * promised_delivery_date: order_estimated_delivery_date as a day;
    * delivered_date: order_delivered_customer_date as a day.
    Timestamps `YYYY-MM-DD HH:MM:SS` become `YYYY-MM-DD`; a value in another form stays as it
    came, so the contract quarantines it.
-#}
with orders as (

    select * from {{ ref('base_olist__orders') }}

),

items as (

    select
        *,
        row_number() over (
            partition by trim(order_id), trim(line_number)
            order by source_row_number
        ) as item_copy
    from {{ ref('base_olist__order_items') }}

),

freight as (

    select
        trim(order_id) as order_key,
        sum(try_cast(trim(freight_value) as decimal(18, 2))) as freight_total,
        min(
            case
                when
                    nullif(trim(freight_value), '') is not null
                    and try_cast(trim(freight_value) as decimal(18, 2)) is null
                    then 'freight_value ' || freight_value
            end
        ) as unreadable_freight
    from items
    -- Each order_item_id of an order once: copies are quarantined with the order lines.
    where item_copy = 1
    group by trim(order_id)

),

shipments as (

    select
        orders.order_id,
        coalesce(
            freight.unreadable_freight,
            cast(freight.freight_total as {{ dbt.type_string() }})
        ) as delivery_charge,
        coalesce(
            strftime(
                try_strptime(trim(orders.estimated_delivery_at), '%Y-%m-%d %H:%M:%S'), '%Y-%m-%d'
            ),
            orders.estimated_delivery_at
        ) as promised_delivery_date,
        coalesce(
            strftime(
                try_strptime(trim(orders.delivered_at), '%Y-%m-%d %H:%M:%S'), '%Y-%m-%d'
            ),
            orders.delivered_at
        ) as delivered_date,
        orders.order_status,
        orders.source_file,
        orders.source_row_number
    from orders
    left join freight
        on trim(orders.order_id) = freight.order_key

)

select * from shipments
