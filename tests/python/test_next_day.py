"""The generator's next day: appended after the shop's rows, and holding what it says."""

import csv
import json
from datetime import datetime

import pytest

from ecommerce_warehouse.demo_shop import generate
from ecommerce_warehouse.demo_shop.next_day import append_next_day


def read(path):
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def readable(text):
    """The timestamp text when it is one (the shop plants unreadable dates), else None."""
    try:
        return datetime.strptime(text, "%Y-%m-%d %H:%M:%S").isoformat(" ")
    except ValueError:
        return None


@pytest.fixture(scope="module")
def shop(tmp_path_factory):
    raw = tmp_path_factory.mktemp("next_day_shop")
    generate(raw, customers=300, seed=3, progress=False)
    before = {t: read(raw / f"{t}.csv") for t in ("order_lines", "shipments")}
    day = append_next_day(raw, late_days=2)
    after = {t: read(raw / f"{t}.csv") for t in ("order_lines", "shipments")}
    return raw, before, after, day


def test_rows_are_appended_after_the_existing_ones(shop):
    _, before, after, day = shop
    for table in before:
        assert after[table][:len(before[table])] == before[table]
    added = after["order_lines"][len(before["order_lines"]):]
    assert len(added) == day["new_order_lines"] + len(day["late_lines"]) + day["return_lines"]


def test_the_day_follows_the_last_order(shop):
    _, before, after, day = shop
    last = max(filter(None, (readable(r["ordered_at"]) for r in before["order_lines"])))
    # The demo shop ends on 2024-12-31 (generate's default end).
    assert last[:10] == "2024-12-31" and day["date"] == "2025-01-01"
    new = [r for r in after["order_lines"][len(before["order_lines"]):]
           if r["order_id"].startswith("O") and r["ordered_at"].startswith(day["date"])]
    assert len({r["order_id"] for r in new}) == day["new_orders"] >= 1
    # Order numbers continue after the last one; each new order has one shipment, undelivered.
    last_number = max(int(r["order_id"][1:]) for r in before["order_lines"])
    assert sorted(int(r["order_id"][1:]) for r in after["shipments"][len(before["shipments"]):]) \
        == list(range(last_number + 1, last_number + 1 + day["new_orders"]))
    assert all(s["delivered_date"] == "" for s in after["shipments"][len(before["shipments"]):])


def test_late_lines_extend_orders_of_the_days_before(shop):
    _, before, after, day = shop
    assert day["late_lines"]
    added = after["order_lines"][len(before["order_lines"]):]
    for line_id in day["late_lines"]:
        order_id, number = line_id.rsplit("-", 1)
        old = [r for r in before["order_lines"] if r["order_id"] == order_id]
        late = [r for r in added if r["order_id"] == order_id]
        assert old and len(late) == 1
        # The next line number, the order's own date, within the 2 days before the new day.
        assert int(number) == max(int(r["line_number"]) for r in old) + 1
        assert late[0]["ordered_at"] == old[0]["ordered_at"]
        assert "2024-12-30" <= late[0]["ordered_at"][:10] <= "2024-12-31"


def test_returns_give_back_part_of_earlier_delivered_orders(shop):
    raw, before, after, day = shop
    assert day["return_orders"]
    added = after["order_lines"][len(before["order_lines"]):]
    delivered = {s["order_id"]: s["delivered_date"] for s in before["shipments"]}
    for return_id in day["return_orders"]:
        original = "O" + return_id[1:]
        lines = [r for r in added if r["order_id"] == return_id]
        assert lines and all(r["return_of_order_id"] == original for r in lines)
        assert all(r["ordered_at"].startswith(day["date"]) for r in lines)
        assert "" < delivered[original] < day["date"]
        bought = {(r["product_id"], r["unit_price"]): int(r["quantity"])
                  for r in before["order_lines"] if r["order_id"] == original}
        for r in lines:
            assert 1 <= -int(r["quantity"]) <= bought[(r["product_id"], r["unit_price"])]
    log = json.loads((raw / "_truth" / "next_days.json").read_text())
    assert log == [day]


def test_parquet_shops_get_their_next_day_too(tmp_path):
    import pyarrow.parquet as pq

    generate(tmp_path, customers=50, seed=1, fmt="parquet", progress=False)
    rows = pq.read_metadata(tmp_path / "order_lines.parquet").num_rows
    day = append_next_day(tmp_path)
    added = day["new_order_lines"] + len(day["late_lines"]) + day["return_lines"]
    assert pq.read_metadata(tmp_path / "order_lines.parquet").num_rows == rows + added
