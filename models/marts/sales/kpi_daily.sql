{{ kpi_rollup('day', 'date_day') }}
