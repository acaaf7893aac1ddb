{#-
    One row per customer id on the transactions (the files have no customer table); the
    customer's first line in file order gives the source row. No profile in this source.
-#}
{{ customers_from_lines('base_cdnow__transactions') }}
