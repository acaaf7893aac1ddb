-- Every rate of the KPI, retention and experience marts lies in [0, 1] (null = not defined).
{%- set rates = {
    'kpi_daily': ['repeat_purchase_rate'],
    'kpi_weekly': ['repeat_purchase_rate'],
    'kpi_monthly': ['repeat_purchase_rate'],
    'kpi_monthly_by_category': ['repeat_purchase_rate'],
    'kpi_monthly_by_country': ['repeat_purchase_rate'],
    'sales_by_weekday_hour': ['order_share'],
    'cohort_retention': ['retention_rate'],
    'customer_acquisition_monthly': [
        'month_over_month_retention_rate', 'month_1_retention_rate'],
    'churn_summary': ['churn_rate', 'repeat_purchase_rate'],
    'delivery_experience': ['order_share', 'reorder_rate', 'churn_after_order_rate'],
    'experience_monthly': ['on_time_delivery_rate', 'promoter_share', 'detractor_share'],
    'category_performance': ['discount_depth'],
    'price_band_performance': ['discount_depth'],
    'discounts_monthly': ['coupon_order_share', 'discount_depth', 'coupon_discount_depth'],
    'discounts_monthly_by_category': ['coupon_order_share', 'discount_depth'],
    'marketing_spend_monthly': ['fit_r_squared'],
    'web_funnel_monthly': [
        'product_view_rate', 'add_to_cart_rate', 'conversion_rate', 'cart_to_purchase_rate'],
} %}
{%- for model, columns in rates.items() %}
    {%- for column in columns %}
        select
            '{{ model }}' as mart,
            '{{ column }}' as rate_column,
            {{ column }} as rate
        from {{ ref(model) }}
        where {{ column }} < 0 or {{ column }} > 1
        {% if not loop.last %}union all{% endif %}
    {%- endfor %}
    {% if not loop.last %}union all{% endif %}
{%- endfor %}
