"""The next day of a generated demo shop, appended to its raw files (for incremental builds).

A shop's export grows by one day at a time: the orders placed that day, plus what arrives
late about earlier days. `append_next_day` reads what the shop holds (DuckDB over the raw
files), and appends to `order_lines` and `shipments`:

* new orders of the day after the last order (about the shop's recent daily order count,
  from customers active in the last 180 days and a few guests; products at list price, an
  all-category coupon valid that day on some orders), each with its shipment (promised, not
  delivered yet, delivery charge by the generator's rule);
* late-arriving lines of orders placed in the `late_days` days before it (same order fields,
  the next line number): the case an incremental build must rebuild with its lookback;
* returns of earlier delivered orders: a return order `R<digits>` dated the new day, whose
  lines give back part of the original lines (at their price and discount).

The day is clean (no planted dirt). What was added is logged in `_truth/next_days.json`, so
tests can check the warehouse against it. Calling it again adds the day after that.
"""

import json
from datetime import date, timedelta
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa

from ..schemas import aggregate_row
from . import config as C
from .simulate import SECONDS_PER_DAY
from .write import TableWriter, s_money

TS = "%Y-%m-%d %H:%M:%S"
ACTIVE_DAYS = 180            # customers who ordered in this many days may order again
RECENT_DAYS = 28             # the daily order count is the average over this many days
GUEST_SHARE = 0.05
COUPON_SHARE = 0.10
LATE_LINE_SHARE = 0.05       # of the orders of the late_days window that get a late line
RETURN_AGE_DAYS = (3, 30)    # returned orders were placed this many days before the new day
MAX_RETURNED_QUANTITY = 100  # lines with more units are outliers (quarantined), not returned


def append_next_day(shop_dir, late_days: int = 2, seed: int | None = None) -> dict:
    """Append the next day to the shop in shop_dir; returns (and logs) what was added."""
    shop = Path(shop_dir)
    manifest = json.loads((shop / "_truth" / "manifest.json").read_text())
    fmt = manifest["arguments"]["format"]
    log_path = shop / "_truth" / "next_days.json"
    log = json.loads(log_path.read_text()) if log_path.exists() else []
    seed = manifest["seed"] if seed is None else seed
    con = duckdb.connect()
    for table in ("order_lines", "shipments", "products", "coupons"):
        reader = (f"read_parquet('{shop}/{table}.parquet')" if fmt == "parquet" else
                  f"read_csv('{shop}/{table}.csv', header = true, all_varchar = true)")
        con.sql(f"create view {table} as select * from {reader}")
    con.sql(f"""create table lines as
        select *, try_strptime(ordered_at, '{TS}') as ts,
               try_cast(substr(order_id, 2) as bigint) as order_no
        from order_lines""")
    (last,) = aggregate_row(con, "select max(ts) from lines")
    if last is None:
        raise ValueError(f"{shop}: order_lines holds no readable ordered_at, no day to follow")
    day = last.date() + timedelta(days=1)
    rng = np.random.default_rng([seed, 9, day.toordinal()])

    new = _new_orders(con, rng, day)
    late = _late_lines(con, rng, day, late_days)
    returns = _returns(con, rng, day)
    added = _concat([new["lines"], late, returns])
    with _appender(shop, "order_lines", fmt) as w:
        w.write(added)
    with _appender(shop, "shipments", fmt) as w:
        w.write(new["shipments"])

    entry = {
        "date": day.isoformat(),
        "late_days": late_days,
        "new_orders": len(new["shipments"]["order_id"]),
        "new_order_lines": len(new["lines"]["order_id"]),
        "late_lines": [f"{o}-{n}"
                       for o, n in zip(late["order_id"], late["line_number"], strict=True)],
        "return_orders": sorted(set(returns["order_id"])),
        "return_lines": len(returns["order_id"]),
    }
    log.append(entry)
    log_path.write_text(json.dumps(log, indent=2) + "\n")
    return entry


def _new_orders(con, rng, day: date) -> dict:
    since = day - timedelta(days=RECENT_DAYS)
    per_day, next_no = con.sql(f"""
        select count(distinct order_id) filter (
                   where order_id like 'O%' and ts >= date '{since}') / {RECENT_DAYS},
               max(order_no) + 1
        from lines""").fetchone()
    n = max(1, int(rng.poisson(per_day)))
    active = [r[0] for r in con.sql(f"""
        select distinct customer_id from lines
        where customer_id is not null and ts >= date '{day - timedelta(days=ACTIVE_DAYS)}'
        order by 1""").fetchall()]
    products = con.sql("""
        select product_id, round(try_cast(list_price as double) * 100)::bigint as cents
        from products where try_cast(list_price as double) > 0 order by product_id""").fetchnumpy()
    coupon = con.sql(f"""
        select coupon_code, try_cast(discount_pct as double) from coupons
        where category is null and try_cast(valid_from as date) <= date '{day}'
          and try_cast(valid_to as date) >= date '{day}'
        order by coupon_code limit 1""").fetchone()

    order_ids = [f"O{next_no + i:08d}" for i in range(n)]
    guest = rng.random(n) < GUEST_SHARE
    customer = [None if g else active[i] for g, i in
                zip(guest, rng.integers(0, max(len(active), 1), n), strict=True)
                ] if active else [None] * n
    with_coupon = (rng.random(n) < COUPON_SHARE) & (coupon is not None)
    seconds = np.sort(rng.integers(0, SECONDS_PER_DAY, n))
    size = np.minimum(1 + rng.poisson(1.0, n), 5)
    rows = _empty()
    charges = []
    for i in range(n):
        picked = rng.choice(len(products["product_id"]), size[i], replace=False)
        qty = 1 + rng.poisson(0.5, size[i])
        cents = products["cents"][picked]
        pct = int(round(coupon[1] * 100)) if with_coupon[i] else 0
        for k in range(size[i]):
            _row(rows, order_ids[i], k + 1, _ts(day, seconds[i]), customer[i],
                 products["product_id"][picked[k]], int(qty[k]),
                 s_money([cents[k]])[0].as_py(), f"0.{pct:02d}",
                 coupon[0] if with_coupon[i] else None, None)
        value = int((qty * cents * (100 - pct) // 100).sum())
        charges.append(0 if value >= C.FREE_SHIPPING_THRESHOLD_CENTS else
                       int(rng.choice(C.DELIVERY_CHARGES_CENTS, p=C.DELIVERY_CHARGE_WEIGHTS)))
    promised = rng.integers(C.PROMISED_DAYS[0], C.PROMISED_DAYS[1] + 1, n)
    shipments = {"order_id": order_ids, "delivery_charge": s_money(charges),
                 "promised_delivery_date": [(day + timedelta(days=int(d))).isoformat()
                                            for d in promised],
                 "delivered_date": [None] * n}
    return {"lines": rows, "shipments": shipments}


def _late_lines(con, rng, day: date, late_days: int) -> dict:
    """One more line on a few orders of the late_days days before `day`."""
    rows = _empty()
    if late_days < 1:
        return rows
    orders = con.sql(f"""
        select order_id, max(try_cast(line_number as bigint)) as last_line,
               any_value(ordered_at), any_value(customer_id), any_value(discount_pct),
               any_value(coupon_code)
        from lines
        where order_id like 'O%' and ts >= date '{day - timedelta(days=late_days)}'
        group by order_id
        having count(distinct ordered_at) = 1 and count(distinct coalesce(coupon_code, '')) = 1
        order by order_id""").fetchall()
    if not orders:
        return rows
    n = max(1, round(LATE_LINE_SHARE * len(orders)))
    products = con.sql("""select product_id, list_price from products
                          where try_cast(list_price as double) > 0 order by 1""").fetchall()
    for i in np.sort(rng.choice(len(orders), n, replace=False)):
        order_id, last_line, ordered_at, customer, pct, coupon = orders[i]
        product, price = products[rng.integers(len(products))]
        _row(rows, order_id, last_line + 1, ordered_at, customer, product, 1, price, pct,
             coupon, None)
    return rows


def _returns(con, rng, day: date) -> dict:
    """Returns, dated `day`, of delivered registered orders placed 3..30 days before, not yet
    returned; about the shop's usual share."""
    lo, hi = (day - timedelta(days=d) for d in (RETURN_AGE_DAYS[1], RETURN_AGE_DAYS[0]))
    candidates = [r[0] for r in con.sql(f"""
        select distinct lines.order_id
        from lines
        join shipments on lines.order_id = shipments.order_id
        where lines.order_id like 'O%' and lines.customer_id is not null
          and lines.ts >= date '{lo}' and lines.ts < date '{hi}'
          and try_cast(shipments.delivered_date as date) < date '{day}'
          and 'R' || substr(lines.order_id, 2) not in (select order_id from lines)
        order by 1""").fetchall()]
    rows = _empty()
    if not candidates:
        return rows
    per_day = len(candidates) * C.RETURN_PROB / (RETURN_AGE_DAYS[1] - RETURN_AGE_DAYS[0])
    n = min(len(candidates), max(1, int(rng.poisson(per_day))))
    chosen = sorted(candidates[i] for i in rng.choice(len(candidates), n, replace=False))
    seconds = np.sort(rng.integers(0, SECONDS_PER_DAY, n))
    # The chosen orders' clean lines: first copy of each line number, readable, positive.
    clean: dict[str, list[tuple]] = {}
    for line in con.sql(f"""
            select distinct on (order_id, try_cast(line_number as bigint))
                   order_id, try_cast(line_number as bigint), customer_id, product_id,
                   try_cast(quantity as bigint), unit_price, discount_pct, coupon_code
            from lines
            where order_id in ({", ".join(f"'{o}'" for o in chosen)}) and ts is not null
              and try_cast(unit_price as double) > 0
              and try_cast(quantity as bigint) between 1 and {MAX_RETURNED_QUANTITY}
            order by 1, 2""").fetchall():
        clean.setdefault(line[0], []).append(line[1:])
    for order_id, sec in zip(chosen, seconds, strict=True):
        lines = clean.get(order_id, [])
        take = [k for k, line in enumerate(lines)
                if k == 0 or rng.random() < C.RETURN_LINE_PROB]
        for number, k in enumerate(take, start=1):
            _, customer, product, qty, price, pct, coupon = lines[k]
            _row(rows, "R" + order_id[1:], number, _ts(day, sec), customer, product,
                 -int(rng.integers(1, qty + 1)), price, pct, coupon, order_id)
    return rows


def _empty() -> dict:
    return {name: [] for name in ("order_id", "line_number", "ordered_at", "customer_id",
                                  "product_id", "quantity", "unit_price", "discount_pct",
                                  "coupon_code", "return_of_order_id")}


def _row(rows, *values):
    """Append one line; values in column order (numbers formatted by the caller or str())."""
    for name, value in zip(rows, values, strict=True):
        rows[name].append(None if value is None else str(value))


def _concat(parts: list[dict]) -> dict:
    return {name: [v for part in parts for v in part[name]] for name in parts[0]}


def _ts(day: date, seconds) -> str:
    h, rest = divmod(int(seconds), 3600)
    return f"{day.isoformat()} {h:02d}:{rest // 60:02d}:{rest % 60:02d}"


class _appender:
    """`with _appender(shop, table, fmt) as w: w.write({column: values})`."""

    def __init__(self, shop: Path, table: str, fmt: str):
        self.writer = TableWriter(shop, table, fmt, append=True)

    def __enter__(self):
        return self

    def write(self, columns: dict):
        self.writer.write({name: values if isinstance(values, pa.Array)
                           else pa.array(values, pa.string()) for name, values in columns.items()})

    def __exit__(self, *exc):
        self.writer.close()
