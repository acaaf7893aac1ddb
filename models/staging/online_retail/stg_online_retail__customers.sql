{#-
    One row per customer id on the invoice lines (the export has no customer table): the
    customer's first line in file order gives the country and the source row. Lines without a
    customer id (guest checkouts) make no customer.
-#}
{{ customers_from_lines('base_online_retail__invoice_lines', country_column='country') }}
