-- two_sided_normal_p_value against the standard normal table (two-sided tail areas to six
-- decimals): |z| 0 -> 1, 1 -> 0.317311, 1.644854 -> 0.10, 1.959964 -> 0.05,
-- 2.575829 -> 0.01, 3.290527 -> 0.001; the sign of z does not matter. Returns the rows off by
-- more than the table's rounding plus the approximation's 1.5e-7.
with normal_table as (

    select
        published.z,
        published.p_value
    from (
        values
        (0.0, 1.0),
        (1.0, 0.317311),
        (-1.0, 0.317311),
        (1.644854, 0.10),
        (1.959964, 0.05),
        (-2.575829, 0.01),
        (3.290527, 0.001)
    ) as published (z, p_value)

)

select
    z,
    p_value,
    {{ two_sided_normal_p_value('z') }} as computed_p_value
from normal_table
where abs({{ two_sided_normal_p_value('z') }} - p_value) > 1e-6
