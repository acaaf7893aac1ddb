{#-
    One row per customer id on the transactions (the files have no customer table); the
    customer's first line in file order gives the source row. No profile in this source.
-#}
with transactions as (

    select * from {{ ref('stg_cdnow__transactions') }}

),

appearances as (

    select
        customer_id,
        source_file,
        source_row_number,
        row_number() over (
            partition by {{ clean_text('customer_id') }}
            order by source_row_number
        ) as appearance_number
    from transactions
    where {{ clean_text('customer_id') }} is not null

),

customers as (

    select
        customer_id,
        cast(null as varchar) as signup_date,
        cast(null as varchar) as gender,
        cast(null as varchar) as country,
        cast(null as varchar) as city,
        source_file,
        source_row_number
    from appearances
    where appearance_number = 1

)

select * from customers
