{#-
    The Discount_Coupon rows, one per raw row, parsed into canonical coupons. A raw code is
    not unique (SALE10 is the Apparel coupon of four months, EXTRA10 that of two categories),
    so the canonical coupon_code is `<code>/<month>/<category>` (e.g. `SALE10/Jan/Apparel`),
    which is. The discount is turned from percent into a fraction; the month (no year in the
    file) into the first and last day of that month of the year
    `marketing_insights_coupon_year` (2019, the year of the sales). Values that cannot be read stay as they came (quarantined).
-#}
with source as (

    select * from {{ source('marketing_insights', 'discount_coupon') }}

),

renamed as (

    select
        month,
        -- The raw header is `Product_Category ` (trailing space); DuckDB trims header names.
        product_category as category,
        coupon_code,
        discount_pct as discount_percent,
        filename as source_file,
        row_number() over () as source_row_number
    from source

),

parsed as (

    select
        *,
        try_strptime(trim(month), ['%b', '%B']) as month_start
    from renamed

),

canonical as (

    select
        trim(coupon_code)
        || '/' || coalesce(strftime(month_start, '%b'), trim(month), '')
        || '/' || coalesce(trim(category), '') as coupon_code,
        category,
        coalesce(
            cast(try_cast(trim(discount_percent) as double) / 100 as {{ dbt.type_string() }}),
            discount_percent
        ) as discount_pct,
        coalesce(
            strftime(
                make_date({{ var('marketing_insights_coupon_year', 2019) }}, month(month_start), 1),
                '%Y-%m-%d'
            ),
            month
        ) as valid_from,
        coalesce(
            strftime(
                last_day(make_date(
                    {{ var('marketing_insights_coupon_year', 2019) }}, month(month_start), 1
                )),
                '%Y-%m-%d'
            ),
            month
        ) as valid_to,
        -- Keys for matching sales lines (stg_marketing_insights__order_lines).
        month(month_start) as coupon_month,
        lower(trim(category)) as category_key,
        source_file,
        source_row_number
    from parsed

)

select * from canonical
