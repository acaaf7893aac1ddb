{#-
    The canonical order lines of the mapping file: base_mapped__order_lines as it is. The base
    model stays separate because customers, products and shipments are derived from it too
    when the mapping has no files of its own for them, and a staging model reads only raw
    tables or base models.
-#}
select * from {{ ref('base_mapped__order_lines') }}  -- noqa: AM04
