{{ discount_rollup() }}
