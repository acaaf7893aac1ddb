{{ kpi_rollup('week', 'week_start_date') }}
