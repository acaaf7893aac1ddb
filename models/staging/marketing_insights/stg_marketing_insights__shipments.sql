{#-
    Canonical shipments: the delivery charge is per transaction but repeated on every line, so
    one row per distinct transaction and charge, from the first line where it appears. A
    transaction whose lines disagree on the charge yields two rows, and the contract
    quarantines the later one as conflicting_duplicate. No delivery dates in the source.
-#}
with sales as (

    select * from {{ ref('base_marketing_insights__online_sales') }}

),

shipments as (

    select
        order_id,
        delivery_charge,
        cast(null as {{ dbt.type_string() }}) as promised_delivery_date,
        cast(null as {{ dbt.type_string() }}) as delivered_date,
        source_file,
        source_row_number
    from sales
    qualify
        row_number() over (
            partition by order_id, delivery_charge
            order by source_row_number
        ) = 1

)

select * from shipments
