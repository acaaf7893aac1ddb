{#-
    Canonical customers: one per person (customers.customer_unique_id), from the first row in
    file order where the person appears; the customers table has one row per order, so a
    person with several orders has several rows (the later ones may give another address).
    Rows without a customer_unique_id are all kept (the contract quarantines them as
    missing_customer_id). No signup date or gender in Olist; every customer is in Brazil.
-#}
with customers as (

    select * from {{ ref('base_olist__customers') }}

),

people as (

    select
        customer_unique_id as customer_id,
        cast(null as {{ dbt.type_string() }}) as signup_date,
        cast(null as {{ dbt.type_string() }}) as gender,
        'Brazil' as country,
        city,
        state,
        zip_code_prefix,
        source_file,
        source_row_number
    from customers
    qualify
        row_number() over (partition by customer_unique_id order by source_row_number) = 1
        or customer_unique_id is null

)

select * from people
