-- What did cleaning keep and remove, per raw table and reason?
with reconciliation as (

    select * from {{ ref('row_reconciliation') }}

),

quarantined_rows as (

    select * from {{ ref('quarantined_rows') }}

),

reasons as (

    select
        source_table,
        reason,
        count(*) as quarantined_rows
    from quarantined_rows
    group by source_table, reason

)

select
    reconciliation.source_table,
    reconciliation.raw_rows,
    reconciliation.clean_rows,
    reasons.reason,
    reasons.quarantined_rows,
    round(100.0 * reasons.quarantined_rows / nullif(reconciliation.raw_rows, 0), 2)
        as quarantined_pct
from reconciliation
left join reasons
    on reconciliation.source_table = reasons.source_table
where reconciliation.is_provided_by_source
order by reconciliation.source_table asc, reasons.quarantined_rows desc
