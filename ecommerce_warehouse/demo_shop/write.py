"""Text formatting (via pyarrow compute, fast and compact) and append-only table writers.

Every column is text. A missing value is null in Arrow: an empty field in CSV and a null
in Parquet, which is exactly how DuckDB reads the CSV back, so both formats stage alike.
"""

from datetime import date
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

HEADERS = {
    "customers": ["customer_id", "signup_date", "gender", "country", "city"],
    "products": ["product_id", "product_name", "category", "list_price"],
    "tax_rates": ["category", "tax_rate"],
    "coupons": ["coupon_code", "category", "discount_pct", "valid_from", "valid_to"],
    "order_lines": ["order_id", "line_number", "ordered_at", "customer_id", "product_id",
                    "quantity", "unit_price", "discount_pct", "coupon_code",
                    "return_of_order_id"],
    "shipments": ["order_id", "delivery_charge", "promised_delivery_date", "delivered_date"],
    "reviews": ["review_id", "order_id", "rating", "reviewed_at"],
    "web_events": ["event_id", "session_id", "event_at", "customer_id", "event_type",
                   "product_id", "order_id"],
    "marketing_spend": ["spend_date", "channel", "spend"],
    "retention_offers": ["customer_id", "offered_date", "experiment_group", "coupon_code"],
    "customers_truth": ["customer_id", "archetype", "churned", "churned_at", "late_deliveries",
                        "bad_reviews"],
}


# --- formatting helpers: numpy in, pyarrow string arrays out ---

def _null_where(arr, missing):
    if missing is None:
        return arr
    return pc.if_else(pa.array(np.asarray(missing, bool)), pa.scalar(None, pa.string()), arr)


def s_int(x, missing=None):
    """Integers as a pyarrow string array, null where `missing` is true."""
    return _null_where(pc.cast(pa.array(np.asarray(x, np.int64)), pa.string()), missing)


def s_id(prefix, nums, width, missing=None):
    """e.g. s_id("C", [1], 7) -> "C0000001"; prefix may also be a per-row string array."""
    digits = pc.utf8_lpad(s_int(nums), width=width, padding="0")
    return _null_where(pc.binary_join_element_wise(prefix, digits, ""), missing)


def _decode(dictionary, idx):
    return pa.DictionaryArray.from_arrays(pa.array(idx, pa.int32()), dictionary).dictionary_decode()


def s_date(start: date, days, missing=None):
    """Day offsets from start -> "YYYY-MM-DD" (via a small lookup of the days in use)."""
    days = np.asarray(days, np.int64)
    if len(days) == 0:
        return pa.array([], pa.string())
    lo, hi = days.min(), days.max()
    lut = np.datetime_as_string(np.datetime64(start.isoformat(), "D") + np.arange(lo, hi + 1))
    return _null_where(_decode(pa.array(lut.tolist(), pa.string()), days - lo), missing)


_CLOCK = None


def s_ts(start: date, secs, missing=None):
    """Seconds from start-of-range -> "YYYY-MM-DD HH:MM:SS" (date lookup + clock lookup)."""
    global _CLOCK
    if _CLOCK is None:
        h, m, s = np.divmod(np.arange(86_400), 3600)[0], *np.divmod(np.arange(86_400) % 3600, 60)
        _CLOCK = pa.array([f"{a:02d}:{b:02d}:{c:02d}" for a, b, c in zip(h, m, s, strict=True)],
                          pa.string())
    day, sec = np.divmod(np.asarray(secs, np.int64), 86_400)
    return _null_where(pc.binary_join_element_wise(s_date(start, day), _decode(_CLOCK, sec), " "),
                       missing)


def s_money(cents):
    """Integer cents -> "12.34" / "-12.50" / "0.00"."""
    c = np.asarray(cents, np.int64)
    sign = pa.array(np.where(c < 0, "-", ""))
    a = np.abs(c)
    frac = pc.utf8_lpad(s_int(a % 100), width=2, padding="0")
    return pc.binary_join_element_wise(sign, s_int(a // 100), ".", frac, "")


def s_fraction(pct):
    """Integer percent (< 100) -> "0.15"."""
    return pc.binary_join_element_wise("0.", pc.utf8_lpad(s_int(pct), width=2, padding="0"), "")


def s_lookup(values, idx, missing=None):
    """values[idx] as strings; idx < 0 -> null."""
    idx = np.asarray(idx, np.int64)
    dict_arr = pa.DictionaryArray.from_arrays(pa.array(np.maximum(idx, 0), pa.int32()),
                                              pa.array(list(values), pa.string()))
    miss = idx < 0 if missing is None else np.asarray(missing, bool) | (idx < 0)
    return _null_where(dict_arr.dictionary_decode(), miss if miss.any() else None)


# --- writers ---

_SPECIAL = np.zeros(256, bool)          # bytes that force quoting: " , \r \n
_SPECIAL[list(b'",\r\n')] = True


def _csv_field(arr):
    """RFC 4180 minimal quoting; nulls become empty fields."""
    arr = pc.fill_null(arr, "")
    data = arr.buffers()[2]
    # Fast path: scan the raw UTF-8 bytes once; most columns never need quoting.
    if data is None or not _SPECIAL[np.frombuffer(data, np.uint8)].any():
        return arr
    needs = pc.match_substring_regex(arr, r'[",\r\n]')
    quoted = pc.binary_join_element_wise('"', pc.replace_substring(arr, '"', '""'), '"', "")
    return pc.if_else(needs, quoted, arr)


class TableWriter:
    """Appends chunks of one table to DIR/<name>.csv or DIR/<name>.parquet; with
    append=True, after the rows the file already holds (a Parquet file is rewritten)."""

    def __init__(self, out_dir: Path, name: str, fmt: str, append: bool = False):
        self.name, self.fmt, self.rows = name, fmt, 0
        self.columns = HEADERS[name]
        self.path = Path(out_dir) / f"{name}.{fmt}"
        self.schema = pa.schema([(c, pa.string()) for c in self.columns])
        if fmt == "csv":
            self._f = open(self.path, "ab" if append else "wb")
            if not append:
                self._f.write((",".join(self.columns) + "\n").encode())
        else:
            old = pq.read_table(self.path, schema=self.schema) if append else None
            self._pq = pq.ParquetWriter(self.path, self.schema, compression="zstd")
            if old is not None:
                self._pq.write_table(old)

    def write(self, cols: dict, take=None):
        """Append one chunk: {column: string array}; `take` optionally repeats rows."""
        arrays = [cols[c] if isinstance(cols[c], pa.Array) else pa.array(cols[c], pa.string())
                  for c in self.columns]
        if take is not None:
            idx = pa.array(take)
            arrays = [a.take(idx) for a in arrays]
        n = len(arrays[0])
        if n == 0:
            return
        self.rows += n
        if self.fmt == "csv":
            lines = pc.binary_join_element_wise(*[_csv_field(a) for a in arrays], ",")
            lines = pc.binary_join_element_wise(lines, "", "\n")
            # The joined array's data buffer is the chunk's exact CSV text.
            offs = np.frombuffer(lines.buffers()[1], np.int32)[lines.offset:lines.offset + n + 1]
            self._f.write(memoryview(lines.buffers()[2])[offs[0]:offs[-1]])
        else:
            # "" (e.g. an empty invalid date) is missing in CSV, so null here too.
            arrays = [pc.if_else(pc.equal(a, ""), pa.scalar(None, pa.string()), a)
                      for a in arrays]
            self._pq.write_table(pa.Table.from_arrays(arrays, schema=self.schema))

    def close(self):
        """Close the table's file."""
        if self.fmt == "csv":
            self._f.close()
        else:
            self._pq.close()
