{#- The price band of a unit price, as a label that sorts in price order. -#}
{% macro price_band(price) -%}
    case
        when {{ price }} is null then null
        when {{ price }} < 10 then '1: under 10'
        when {{ price }} < 25 then '2: 10-25'
        when {{ price }} < 50 then '3: 25-50'
        when {{ price }} < 100 then '4: 50-100'
        else '5: 100 and over'
    end
{%- endmacro %}
