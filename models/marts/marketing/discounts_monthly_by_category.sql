{{ discount_rollup(dimension='category') }}
