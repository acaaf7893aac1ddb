{#-
    One row per customer id on the invoice lines (the export has no customer table): the
    customer's first line in file order gives the country and the source row. Lines without a
    customer id (guest checkouts) make no customer.
-#}
with invoice_lines as (

    select * from {{ ref('stg_online_retail__invoice_lines') }}

),

appearances as (

    select
        customer_id,
        country,
        source_file,
        source_row_number,
        row_number() over (
            partition by {{ clean_text('customer_id') }}
            order by source_row_number
        ) as appearance_number
    from invoice_lines
    where {{ clean_text('customer_id') }} is not null

),

customers as (

    select
        customer_id,
        cast(null as varchar) as signup_date,
        cast(null as varchar) as gender,
        country,
        cast(null as varchar) as city,
        source_file,
        source_row_number
    from appearances
    where appearance_number = 1

)

select * from customers
