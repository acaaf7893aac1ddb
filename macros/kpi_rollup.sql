{#-
    The KPI marts' SQL, written once: rolls the order lines of `int_sales_order_lines` up to
    one row per `period` ('day', 'week' or 'month'), or per period and `dimension` (a column
    of int_sales_order_lines such as 'category' or 'country'). Every period between the first
    and the last order is present (zero orders = zero amounts), so growth compares consecutive
    periods. Definitions (described on the marts):
      gross_revenue      gross amount of sold lines (returns excluded)
      discount_amount    discounts on sold lines
      returns_amount     net amount of return lines, as a positive number
      net_revenue        gross - discounts - returns (= sum of net_amount over all lines)
      orders, items, quantity, customers: of sold lines; guests are not customers
      new customers      customers whose first order is in the period; the others are existing
      repeat customers   customers with an order in the period that is their 2nd or later
    `period_column` names the period's first day (date_day, week_start_date, month_start_date).
-#}
{% macro kpi_rollup(period, period_column, dimension=none) %}

with order_lines as (

    select * from {{ ref('int_sales_order_lines') }}

),

marketing_spend as (

    select * from {{ ref('int_marketing_spend_cleaned') }}

),

calendar as (

    select * from {{ ref('dim_date') }}

),

bounds as (

    select
        min(order_date) as first_day,
        max(order_date) as last_day,
        count(tax_amount) > 0 as has_tax,
        count(delivery_charge) > 0 as has_delivery
    from order_lines

),

spend_source as (

    select count(*) > 0 as has_spend from marketing_spend

),

periods as (

    select distinct cast({{ dbt.date_trunc(period, 'calendar.date_day') }} as date) as period_start
    from calendar
    cross join bounds
    where calendar.date_day between bounds.first_day and bounds.last_day

),

{% if dimension %}
members as (

    select distinct {{ dimension }} as dimension_value from order_lines

),

spine as (

    select
        periods.period_start,
        members.dimension_value
    from periods
    cross join members

),
{% else %}
spine as (

    select period_start from periods

),
{% endif %}

lines as (

    select
        *,
        {% if dimension %}{{ dimension }}{% else %}cast(null as {{ dbt.type_string() }}){% endif %}
            as dimension_value,
        cast({{ dbt.date_trunc(period, 'order_date') }} as date) as period_start,
        cast({{ dbt.date_trunc(period, 'customer_first_order_date') }} as date)
            as first_order_period_start
    from order_lines

),

sales as (

    select
        period_start,
        dimension_value,
        sum(case when not is_return then gross_amount else 0 end) as gross_revenue,
        sum(case when not is_return then discount_amount else 0 end) as discount_amount,
        sum(case when is_return then -net_amount else 0 end) as returns_amount,
        sum(net_amount) as net_revenue,
        count(distinct case when not is_return then order_id end) as orders,
        count(case when not is_return then order_line_id end) as items,
        cast(sum(case when not is_return then quantity else 0 end) as {{ dbt.type_bigint() }})
            as quantity,
        count(distinct case when not is_return and not is_guest then customer_id end)
            as customers,
        count(distinct case
            when not is_return and not is_guest and first_order_period_start = period_start
                then customer_id
        end) as new_customers,
        count(distinct case
            when not is_return and not is_guest and customer_order_number >= 2 then customer_id
        end) as repeat_customers,
        sum(case
            when not is_return and not is_guest and first_order_period_start = period_start
                then net_amount
            else 0
        end) as new_customer_revenue,
        sum(case
            when not is_return and not is_guest and first_order_period_start < period_start
                then net_amount
            else 0
        end) as existing_customer_revenue,
        sum(case when not is_return and is_guest then net_amount else 0 end) as guest_revenue,
        sum(tax_amount) as tax_amount,
        sum(delivery_charge) as delivery_charge
    from lines
    group by period_start, dimension_value

),

spend as (

    select
        cast({{ dbt.date_trunc(period, 'spend_date') }} as date) as period_start,
        sum(spend) as marketing_spend
    from marketing_spend
    group by cast({{ dbt.date_trunc(period, 'spend_date') }} as date)

),

joined as (

    select
        spine.period_start,
        {% if dimension %}spine.dimension_value,{% endif %}
        spine.period_start < bounds.first_day
        or cast({{ dbt.dateadd('day', -1, dbt.dateadd(period, 1, 'spine.period_start')) }} as date)
        > bounds.last_day as is_partial_period,
        coalesce(sales.gross_revenue, 0) as gross_revenue,
        coalesce(sales.discount_amount, 0) as discount_amount,
        coalesce(sales.returns_amount, 0) as returns_amount,
        coalesce(sales.net_revenue, 0) as net_revenue,
        coalesce(sales.orders, 0) as orders,
        coalesce(sales.items, 0) as items,
        coalesce(sales.quantity, 0) as quantity,
        coalesce(sales.customers, 0) as customers,
        coalesce(sales.new_customers, 0) as new_customers,
        coalesce(sales.customers, 0) - coalesce(sales.new_customers, 0) as existing_customers,
        coalesce(sales.repeat_customers, 0) as repeat_customers,
        coalesce(sales.new_customer_revenue, 0) as new_customer_revenue,
        coalesce(sales.existing_customer_revenue, 0) as existing_customer_revenue,
        coalesce(sales.guest_revenue, 0) as guest_revenue,
        case when bounds.has_tax then coalesce(sales.tax_amount, 0) end as tax_amount,
        case when bounds.has_delivery then coalesce(sales.delivery_charge, 0) end
            as delivery_charge,
        {% if dimension %}
        cast(null as double) as marketing_spend
        {% else %}
        case when spend_source.has_spend then coalesce(spend.marketing_spend, 0) end
            as marketing_spend
        {% endif %}
    from spine
    cross join bounds
    cross join spend_source
    left join sales
        on
            spine.period_start = sales.period_start
            {% if dimension %}
            and spine.dimension_value = sales.dimension_value
            {% endif %}
    left join spend
        on spine.period_start = spend.period_start

),

with_previous as (

    select
        *,
        lag(net_revenue) over (
            {% if dimension %}partition by dimension_value{% endif %}
            order by period_start
        ) as previous_net_revenue
    from joined

)

select
    period_start as {{ period_column }},
    {% if dimension %}dimension_value as {{ dimension }},{% endif %}
    is_partial_period,
    gross_revenue,
    discount_amount,
    returns_amount,
    net_revenue,
    previous_net_revenue,
    case
        when previous_net_revenue > 0 then net_revenue / previous_net_revenue - 1
    end as net_revenue_growth,
    orders,
    (gross_revenue - discount_amount) / nullif(orders, 0) as average_order_value,
    items,
    quantity,
    customers,
    new_customers,
    existing_customers,
    repeat_customers,
    cast(repeat_customers as double) / nullif(customers, 0) as repeat_purchase_rate,
    new_customer_revenue,
    existing_customer_revenue,
    guest_revenue,
    tax_amount,
    delivery_charge,
    case when net_revenue > 0 then delivery_charge / net_revenue end as delivery_charge_share,
    marketing_spend,
    case when net_revenue > 0 then marketing_spend / net_revenue end as marketing_spend_share
from with_previous

{% endmacro %}
