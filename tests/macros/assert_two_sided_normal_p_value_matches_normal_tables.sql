-- two_sided_normal_p_value against the standard normal table (two-sided tail areas to six
-- decimals): |z| 0 -> 1, 1 -> 0.317311, 1.644854 -> 0.10, 1.959964 -> 0.05,
-- 2.575829 -> 0.01, 3.290527 -> 0.001; the sign of z does not matter. Returns the rows off by
-- more than the table's rounding plus the approximation's 1.5e-7. (union all, not values:
-- the same SQL runs on DuckDB and Spark.)
with normal_table as (

    select 0.0 as z, 1.0 as p_value
    union all select 1.0, 0.317311
    union all select -1.0, 0.317311
    union all select 1.644854, 0.10
    union all select 1.959964, 0.05
    union all select -2.575829, 0.01
    union all select 3.290527, 0.001

)

select
    z,
    p_value,
    {{ two_sided_normal_p_value('z') }} as computed_p_value
from normal_table
where abs({{ two_sided_normal_p_value('z') }} - p_value) > 1e-6
