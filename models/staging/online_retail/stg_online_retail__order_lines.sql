{#-
    The canonical order lines of this source: base_online_retail__invoice_lines as it is. The base model
    already has the canonical columns; it stays separate because the customers and products
    are derived from it too, and a staging model reads only its raw table or base models.
-#}
select * from {{ ref('base_online_retail__invoice_lines') }}  -- noqa: AM04
