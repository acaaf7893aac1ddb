{{ kpi_rollup('month', 'month_start_date') }}
