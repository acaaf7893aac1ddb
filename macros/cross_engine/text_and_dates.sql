{#-
    Text, parsing and calendar expressions that DuckDB and Spark SQL spell differently. Each
    dispatches on the adapter: default__ is the DuckDB form, spark__ the Spark SQL form (also
    used by adapters that inherit from dbt-spark, e.g. Databricks).
-#}

{#- Every match of a regular expression replaced (DuckDB needs the 'g' flag; Spark replaces all
    matches, and its string literals need the backslashes doubled). -#}
{% macro regexp_replace_all(expression, pattern, replacement) -%}
    {{ return(adapter.dispatch("regexp_replace_all", "ecommerce_warehouse")(expression, pattern, replacement)) }}
{%- endmacro %}

{% macro default__regexp_replace_all(expression, pattern, replacement) -%}
    regexp_replace({{ expression }}, '{{ pattern }}', '{{ replacement }}', 'g')
{%- endmacro %}

{% macro spark__regexp_replace_all(expression, pattern, replacement) -%}
    regexp_replace({{ expression }}, '{{ pattern | replace("\\", "\\\\") }}', '{{ replacement }}')
{%- endmacro %}


{#- Text read as a timestamp with the first of the given strptime formats (var date_formats /
    timestamp_formats, DuckDB's syntax) that matches it in full; null when none does. -#}
{% macro try_parse_timestamp(expression, formats) -%}
    {{ return(adapter.dispatch("try_parse_timestamp", "ecommerce_warehouse")(expression, formats)) }}
{%- endmacro %}

{% macro default__try_parse_timestamp(expression, formats) -%}
    try_strptime({{ expression }}, [
        {%- for format in formats -%}'{{ format }}'{{ ", " if not loop.last }}{%- endfor -%}
    ])
{%- endmacro %}

{% macro spark__try_parse_timestamp(expression, formats) -%}
    coalesce(
        {%- for format in formats %}
        try_to_timestamp({{ expression }}, '{{ java_datetime_pattern(format) }}'){{ "," if not loop.last }}
        {%- endfor %}
    )
{%- endmacro %}


{#- A strptime format as a Java (Spark) datetime pattern; the directives the vars use. -#}
{% macro java_datetime_pattern(format) -%}
    {%- set directives = {
        "%Y": "yyyy", "%m": "MM", "%d": "dd", "%H": "HH", "%M": "mm", "%S": "ss", "%f": "SSSSSS",
        "%y": "yy", "%b": "MMM", "%B": "MMMM", "%p": "a", "%I": "hh", "%z": "Z", "%%": "%",
    } -%}
    {%- set pattern = namespace(text=format) -%}
    {%- for directive, java in directives.items() -%}
        {%- set pattern.text = pattern.text | replace(directive, java) -%}
    {%- endfor -%}
    {%- if "%" in pattern.text | replace("%%", "") -%}
        {{ exceptions.raise_compiler_error("java_datetime_pattern: no Spark equivalent known for '" ~ format ~ "'") }}
    {%- endif -%}
    {{- pattern.text -}}
{%- endmacro %}


{#- ISO day of the week of a date or timestamp, 1 = Monday ... 7 = Sunday, as bigint. -#}
{% macro iso_day_of_week(expression) -%}
    {{ return(adapter.dispatch("iso_day_of_week", "ecommerce_warehouse")(expression)) }}
{%- endmacro %}

{% macro default__iso_day_of_week(expression) -%}
    extract(isodow from {{ expression }})
{%- endmacro %}

{% macro spark__iso_day_of_week(expression) -%}
    cast(extract(dow_iso from {{ expression }}) as bigint)
{%- endmacro %}


{#- A date or timestamp field (year, quarter, month, day, doy, hour ...) as bigint on every
    engine (Spark's extract gives int). -#}
{% macro date_part_number(part, expression) -%}
    cast(extract({{ part }} from {{ expression }}) as {{ dbt.type_bigint() }})
{%- endmacro %}


{#- English month and day names of a date (January, Monday). -#}
{% macro month_name(expression) -%}
    {{ return(adapter.dispatch("month_name", "ecommerce_warehouse")(expression)) }}
{%- endmacro %}

{% macro default__month_name(expression) -%}
    monthname({{ expression }})
{%- endmacro %}

{% macro spark__month_name(expression) -%}
    date_format({{ expression }}, 'MMMM')
{%- endmacro %}

{% macro day_name(expression) -%}
    {{ return(adapter.dispatch("day_name", "ecommerce_warehouse")(expression)) }}
{%- endmacro %}

{% macro default__day_name(expression) -%}
    dayname({{ expression }})
{%- endmacro %}

{% macro spark__day_name(expression) -%}
    date_format({{ expression }}, 'EEEE')
{%- endmacro %}


{#- dbt.datediff on Spark, overriding dbt-spark's: DuckDB's meaning (the number of day / month /
    quarter / year boundaries between the two), as bigint like DuckDB's, and null when a date is
    null (dbt-spark's version stops the query on a null date; our dates may be missing, e.g. an
    order never delivered). -#}
{% macro spark__datediff(first_date, second_date, datepart) -%}
    {%- if datepart == "day" -%}
        cast(datediff(cast({{ second_date }} as date), cast({{ first_date }} as date)) as {{ dbt.type_bigint() }})
    {%- elif datepart in ("month", "quarter", "year") -%}
        {%- set months_per = {"month": 1, "quarter": 3, "year": 12}[datepart] -%}
        {%- set index = "(year({d}) * " ~ (12 // months_per) ~ " + (month({d}) - 1) div " ~ months_per ~ ")" -%}
        cast({{ index | replace("{d}", second_date) }} - {{ index | replace("{d}", first_date) }} as {{ dbt.type_bigint() }})
    {%- else -%}
        {{ exceptions.raise_compiler_error("spark__datediff: datepart '" ~ datepart ~ "' is not implemented") }}
    {%- endif -%}
{%- endmacro %}
