{#-
    Two-sided p-value of a standard normal test statistic: p = erfc(|z| / sqrt 2).
    Neither DuckDB nor Spark SQL has erfc, so this is Abramowitz & Stegun 7.1.26 (absolute
    error < 1.5e-7): a polynomial in t = 1 / (1 + 0.3275911 |z| / sqrt 2) times exp(-z^2 / 2).
    `z` is a SQL expression that is repeated in the output: pass a column, not a subquery.
-#}
{% macro two_sided_normal_p_value(z) -%}
    {%- set t -%} (1.0 / (1 + 0.3275911 * abs({{ z }}) / sqrt(2))) {%- endset -%}
    ({{ t }} * (0.254829592 + {{ t }} * (-0.284496736 + {{ t }} * (
        1.421413741 + {{ t }} * (-1.453152027 + {{ t }} * 1.061405429))))
    * exp(-({{ z }} * {{ z }}) / 2))
{%- endmacro %}
