{#- The reviews file is optional (the shared data folder lacks it): when it is absent the model
    is empty, with the file's columns, and the warehouse builds without reviews. -#}
{%- set reviews = source('olist', 'order_reviews') -%}
{%- set columns = ['review_id', 'order_id', 'review_score', 'review_comment_title',
    'review_comment_message', 'review_creation_date', 'review_answer_timestamp', 'filename'] -%}
with source as (

    {% if raw_table_present(reviews) -%}
        select * from {{ reviews }}
    {%- else -%}
        select
            {%- for name in columns %}
            cast(null as {{ dbt.type_string() }}) as {{ name }}{{ "," if not loop.last }}
            {%- endfor %}
        where 1 = 0
    {%- endif %}

),

renamed as (

    select
        -- review_id is not unique in Olist (one review can cover several orders), so the
        -- canonical key is '<review_id>/<order_id>', which keeps every row. When either part
        -- is missing the key is the raw review_id, so the contract quarantines the row as
        -- missing_review_id or missing_order_id.
        case
            when nullif(trim(review_id), '') is not null and nullif(trim(order_id), '') is not null
                then trim(review_id) || '/' || trim(order_id)
            else review_id
        end as review_id,
        order_id,
        review_score as rating,
        review_creation_date as reviewed_at,
        review_id as olist_review_id,
        review_comment_title,
        review_comment_message,
        review_answer_timestamp as answered_at,
        filename as source_file,
        row_number() over () as source_row_number
    from source

)

select * from renamed
