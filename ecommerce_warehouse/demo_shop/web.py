"""Web analytics sessions for one chunk: a sampled funnel of page/product views and carts.

Converting sessions are built around real orders (basket products are viewed, carted, then
purchased at the order's exact timestamp). Non-converting sessions are drawn so that
converting / all sessions ~= WEB_CONVERSION_RATE. Only a random sample of sessions is
exported (WEB_SESSION_SAMPLE_RATE), which keeps the volume at a few dozen events per customer.
"""

import numpy as np

from . import config as C
from .simulate import SECONDS_PER_DAY, draw_seconds
from .world import World, sample_from_cdf

EVENT_TYPES = ["page_view", "product_view", "add_to_cart", "purchase"]
PAGE, VIEW, CART, PURCHASE = range(4)


def _ranks(group):
    """0-based position of each element within its (contiguous, sorted) group."""
    starts = np.flatnonzero(np.r_[True, group[1:] != group[:-1]])
    sizes = np.diff(np.r_[starts, len(group)])
    return np.arange(len(group)) - np.repeat(starts, sizes)


def build_web_events(w: World, rng, o, lines, signup):
    """Return (events dict, n_sessions, n_converting).

    events: session (0-based, numbered by session start), etype, product (-1 = none),
    order (order index, -1 = none), cust (chunk-local index, -1 = anonymous), ts (seconds).
    """
    D = w.n_days
    n_orders = len(o["day"])
    conv = np.flatnonzero(rng.random(n_orders) < C.WEB_SESSION_SAMPLE_RATE)
    n_conv = len(conv)
    n_nc = rng.poisson(n_conv * (1 / C.WEB_CONVERSION_RATE - 1))

    # Non-converting sessions: logged-in customers (any day since signup) or anonymous
    # visitors (days follow the shop's daily intensity).
    reg = rng.random(n_nc) < C.WEB_REGISTERED_SHARE
    nc_cust = np.where(reg, rng.integers(0, len(signup), n_nc), -1)
    first = np.maximum(signup[np.maximum(nc_cust, 0)], 0)
    reg_day = first + (rng.random(n_nc) * (D - first)).astype(np.int64)
    nc_day = np.where(reg, reg_day, sample_from_cdf(rng, w.day_cdf, n_nc))
    nc_ts = nc_day * SECONDS_PER_DAY + draw_seconds(w, rng, n_nc)

    S = n_conv + n_nc
    if S == 0:
        empty = np.zeros(0, np.int64)
        return {k: empty for k in ("session", "etype", "product", "order", "cust", "ts")}, 0, 0
    s_cust = np.concatenate([o["cust"][conv], nc_cust])
    s_end = np.concatenate([o["ts"][conv], nc_ts])        # time of the session's last event
    s_order = np.concatenate([conv, np.full(n_nc, -1)])
    is_conv = np.arange(S) < n_conv

    # Event pieces as (session, seq, type, product); seq orders events inside a session.
    parts = []
    n_pv = 1 + rng.poisson(np.where(is_conv, 0.5, 0.3))
    sess = np.repeat(np.arange(S), n_pv)
    parts.append((sess, _ranks(sess), PAGE, -1))

    # Browsing views (products from the view distribution, incl. viewed-not-bought boost).
    browse = np.where(is_conv, rng.poisson(0.8, S),
                      (rng.random(S) < 0.45) * (1 + rng.poisson(1.2, S)))
    sess = np.repeat(np.arange(S), browse)
    viewed = sample_from_cdf(rng, w.view_cdf, len(sess))
    parts.append((sess, 100 + _ranks(sess), VIEW, viewed))
    # Some non-converting browsers abandon a cart with their first viewed product.
    first_view = np.r_[True, sess[1:] != sess[:-1]][:len(sess)]
    ab = first_view & ~is_conv[sess] & (rng.random(len(sess)) < 0.2)
    parts.append((sess[ab], np.full(ab.sum(), 300), CART, viewed[ab]))

    # Converting sessions: every basket product is viewed and carted, then purchase.
    session_of_order = np.full(n_orders, -1)
    session_of_order[conv] = np.arange(n_conv)
    li = np.flatnonzero(session_of_order[lines["order"]] >= 0)
    sess = session_of_order[lines["order"][li]]
    parts.append((sess, 200 + lines["line_no"][li], VIEW, lines["product"][li]))
    parts.append((sess, 300 + lines["line_no"][li], CART, lines["product"][li]))
    parts.append((np.arange(n_conv), np.full(n_conv, 400), PURCHASE, -1))

    sess = np.concatenate([p[0] for p in parts])
    seq = np.concatenate([p[1] for p in parts])
    etype = np.concatenate([np.full(len(p[0]), p[2]) for p in parts])
    product = np.concatenate([np.broadcast_to(p[3], len(p[0])) for p in parts])
    srt = np.lexsort((seq, sess))
    sess, etype, product = sess[srt], etype[srt], product[srt]

    # Timestamps: walk back from the session end with random gaps, never before midnight.
    gaps = rng.integers(10, 180, len(sess))
    cs = np.cumsum(gaps)
    last = np.r_[sess[1:] != sess[:-1], True]
    end_cs = np.repeat(cs[last], np.bincount(sess, minlength=S))
    ts = s_end[sess] - (end_cs - cs)
    ts = np.maximum(ts, s_end[sess] // SECONDS_PER_DAY * SECONDS_PER_DAY)

    # Number sessions by start time; order events by time, session, position.
    s_start = np.full(S, np.iinfo(np.int64).max)
    np.minimum.at(s_start, sess, ts)
    s_rank = np.empty(S, np.int64)
    s_rank[np.lexsort((np.arange(S), s_start))] = np.arange(S)
    pos = _ranks(sess)
    final = np.lexsort((pos, s_rank[sess], ts))
    events = dict(session=s_rank[sess][final], etype=etype[final], product=product[final],
                  order=np.where(etype == PURCHASE, s_order[sess], -1)[final],
                  cust=s_cust[sess][final], ts=ts[final])
    return events, S, n_conv
