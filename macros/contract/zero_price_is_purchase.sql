{#- Whether an order line of price 0 is a purchase for the chosen source system (var
    `zero_price_is_purchase`, per source; default false: a zero price is quarantined as
    `non_positive_price`). A per-source var rather than a rule in the staging model, so that the
    reason a zero price gets is decided in one place, with the other cleaning rules. -#}
{% macro zero_price_is_purchase() %}
    {%- set sources = var("zero_price_is_purchase", {}) -%}
    {{ return(sources.get(var("source_system"), false) if sources is mapping else sources) }}
{% endmacro %}
