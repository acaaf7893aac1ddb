{#-
    Olist payments against order totals: one row per order of the orders file or the payments
    file. An order's total is the sum of its items' price + freight_value (every raw item
    row); what was paid is the sum of its payment_value. They differ by more than 0.01 when
    * `no_items`: the order has payments but no items (Olist publishes 775 such orders);
    * `no_payments`: the order has items but no payment row;
    * `voucher`: a voucher pays part of the order (vouchers may pay more or less than the
      items: gift cards, refunds turned into vouchers);
    * `installment_interest`: paid more than the total, by card in several instalments (the
      interest is added to the payment);
    * `other`: any other difference.
-#}
{{ config(materialized="table") }}
with orders as (

    select * from {{ ref('base_olist__orders') }}

),

items as (

    select * from {{ ref('base_olist__order_items') }}

),

payments as (

    select * from {{ ref('base_olist__order_payments') }}

),

item_totals as (

    select
        trim(order_id) as order_id,
        count(*) as item_count,
        sum(
            try_cast(trim(unit_price) as decimal(18, 2))
            + try_cast(trim(freight_value) as decimal(18, 2))
        ) as order_total
    from items
    group by trim(order_id)

),

payment_totals as (

    select
        trim(order_id) as order_id,
        count(*) as payment_count,
        sum(try_cast(trim(payment_value) as decimal(18, 2))) as paid_total,
        bool_or(trim(payment_type) = 'voucher') as has_voucher,
        max(
            case
                when trim(payment_type) = 'credit_card'
                    then try_cast(trim(payment_installments) as integer)
            end
        ) as max_card_installments
    from payments
    group by trim(order_id)

),

order_statuses as (

    select
        trim(order_id) as order_id,
        any_value(order_status) as order_status
    from orders
    group by trim(order_id)

),

order_ids as (

    select trim(order_id) as order_id from orders
    union
    select order_id from payment_totals

),

compared as (

    select
        order_ids.order_id,
        order_statuses.order_status,
        coalesce(item_totals.item_count, 0) as item_count,
        coalesce(payment_totals.payment_count, 0) as payment_count,
        item_totals.order_total,
        payment_totals.paid_total,
        payment_totals.paid_total - item_totals.order_total as difference,
        coalesce(payment_totals.has_voucher, false) as has_voucher,
        payment_totals.max_card_installments
    from order_ids
    left join order_statuses
        on order_ids.order_id = order_statuses.order_id
    left join item_totals
        on order_ids.order_id = item_totals.order_id
    left join payment_totals
        on order_ids.order_id = payment_totals.order_id

)

select
    *,
    coalesce(abs(difference) <= 0.01, false) as is_matched,
    case
        when abs(difference) <= 0.01 then null
        when item_count = 0 then 'no_items'
        when payment_count = 0 then 'no_payments'
        when has_voucher then 'voucher'
        when difference > 0 and max_card_installments > 1 then 'installment_interest'
        else 'other'
    end as mismatch_reason
from compared
