"""Planted data-quality defects with exact, disjoint counts.

Every dirty row carries exactly one defect and started as a clean row of a registered
customer (never a guest or return line, nor a line that was later returned). Rows altered
by the non-duplicate order-line defects are at most one per order and only in orders with
>= 2 lines, so every order keeps at least one clean line (with a valid ordered_at).
"""

from collections import Counter

import numpy as np

from . import config as C

LINE_DEFECTS = ["non_positive_price", "outlier_quantity", "invalid_date"]


def dirty_order_lines(rng, lines):
    """Mutate `lines` (a chunk's order lines in file order) in place.

    Adds `dup` (row is followed by an exact copy) and `bad_date` (index into
    INVALID_DATES or -1). Returns (counts per defect, mask of clean original rows).
    """
    n = len(lines["qty"])
    # Registered, non-return lines; lines that were later returned stay clean so the
    # return always mirrors its original line.
    elig = (lines["cust"] >= 0) & ~lines["is_return"] & ~lines["returned"]
    n_elig = int(elig.sum())
    want = {k: rng.binomial(n_elig, r) for k, r in C.DIRT_ORDER_LINES.items()}

    # Candidates for one-per-order defects: one random eligible line per multi-line order.
    order = lines["order"]
    size = np.bincount(order[elig], minlength=int(order.max()) + 1 if n else 0)
    multi = np.flatnonzero(elig & (size[order] >= 2))
    shuffled = multi[rng.permutation(len(multi))]
    _, first = np.unique(order[shuffled], return_index=True)
    cand = shuffled[np.sort(first)]          # random order of "one line per order"

    counts, dirty = {}, np.zeros(n, bool)
    lines["bad_date"] = np.full(n, -1)
    pos = 0
    for kind in LINE_DEFECTS:
        rows = cand[pos:pos + want[kind]]
        pos += len(rows)
        counts[kind] = len(rows)
        dirty[rows] = True
        if kind == "non_positive_price":       # half zero, half a negated price
            neg = rng.random(len(rows)) < 0.5
            lines["price"][rows] = np.where(neg, -lines["price"][rows], 0)
        elif kind == "outlier_quantity":
            lines["qty"][rows] = rng.integers(20_000, 100_000, len(rows))
        else:
            lines["bad_date"][rows] = rng.integers(0, len(C.INVALID_DATES), len(rows))

    # Exact duplicates of otherwise clean eligible lines (the copy is the dirty row).
    pool = np.flatnonzero(elig & ~dirty)
    dup_rows = np.sort(rng.choice(pool, min(want["duplicate"], len(pool)), replace=False))
    lines["dup"] = np.zeros(n, bool)
    lines["dup"][dup_rows] = True
    counts["duplicate"] = len(dup_rows)
    return counts, ~dirty


def _variant(value, rng):
    """A messy spelling: changed case and/or stray whitespace (never the clean value)."""
    while True:
        case = rng.integers(0, 3)              # keep / UPPER / lower
        ws = rng.integers(0, 5)                # none / lead / trail / both / double
        if case or ws:
            break
    v = [value, value.upper(), value.lower()][case]
    if ws == 1:
        v = " " + v
    elif ws == 2:
        v = v + " "
    elif ws == 3:
        v = "  " + v + "  "
    elif ws == 4:
        v = v.replace(" ", "  ", 1) if " " in v else v + "  "
    return v


class MessyText:
    """Tracks spellings across chunks so the clean one always stays strictly most common.

    A messy variant is only accepted while (count of its trimmed spelling + 1) is below the
    count of rows holding the exact clean value; whitespace-only variants (trimmed == clean)
    are always fine because trimming maps them back to the clean spelling.
    """

    def __init__(self):
        self.clean = Counter()
        self.variant = Counter()

    def propose(self, value, rng):
        """A messy variant of `value`, its key (clean, trimmed variant) and whether it may be
        used."""
        v = _variant(value, rng)
        key = (value, v.strip())
        ok = v.strip() == value or self.variant[key] + 1 < self.clean[value]
        return v, key, ok

    def commit(self, key):
        """Count a used variant (one that trimming does not map back to the clean spelling)."""
        if key[1] != key[0]:
            self.variant[key] += 1


def mess_up(rng, columns, rate, trackers):
    """Alter one or more text columns (lists of str, modified in place) on ~rate of rows.

    A selected row gets one randomly chosen non-empty subset of the columns altered; if any
    proposal would threaten the clean majority the row stays clean. Returns altered rows.
    """
    n = len(columns[0])
    cand = np.flatnonzero(rng.random(n) < rate)
    cand_set = set(cand.tolist())
    for col, tr in zip(columns, trackers, strict=True):
        tr.clean.update(v for i, v in enumerate(col) if i not in cand_set)
    altered = []
    for i in cand:
        if len(columns) == 1:
            which = [0]
        else:                                  # country, city, or both
            which = [[0], [1], [0, 1]][rng.integers(0, 3)]
        props = [(c, *trackers[c].propose(columns[c][i], rng)) for c in which]
        accepted = all(ok for *_, ok in props)
        if accepted:
            for c, v, key, _ in props:
                trackers[c].commit(key)
                columns[c][i] = v
            altered.append(i)
        for c, tr in enumerate(trackers):      # untouched values of this row stay clean
            if not accepted or c not in which:
                tr.clean[columns[c][i]] += 1
    return np.array(altered, dtype=np.int64)


def pick_duplicates(rng, n, rate, exclude):
    """Rows (not in `exclude`) that get an exact copy written right after them."""
    pool = np.setdiff1d(np.arange(n), exclude)
    k = min(rng.binomial(n, rate), len(pool))
    return np.sort(rng.choice(pool, k, replace=False))
