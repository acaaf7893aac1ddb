"""A read-only HTTP API over the published warehouse's marts (``make serve``).

``python -m ecommerce_warehouse.api`` serves on ``API_HOST`` (default 127.0.0.1) and
``API_PORT`` (default 8000); OpenAPI docs at ``/docs``. Every request opens the current
warehouse file read-only (:func:`ecommerce_warehouse.warehouse_reader.open_warehouse`), so
the API keeps answering, with the old or the new data, while ``make build`` publishes.
GET only. If ``WAREHOUSE_API_KEY`` is set, every request but ``/health`` must send it in the
``X-API-Key`` header. Each request is logged as one JSON line (logger ``warehouse_api``).

The seed questions, one request each: ``/customers/best`` (best customers),
``/customers/slipping-away`` (who is slipping away), ``/bundles`` (what sells together).
"""

from __future__ import annotations

import json
import logging
import math
import os
import secrets
import time
from datetime import date
from enum import Enum
from typing import Annotated, Any

from fastapi import Depends, FastAPI, HTTPException, Query, Request
from fastapi.responses import JSONResponse
from fastapi.security import APIKeyHeader

from ecommerce_warehouse.warehouse_reader import MARTS_SCHEMA, open_warehouse

API_KEY_ENV = "WAREHOUSE_API_KEY"
MAX_LIMIT = 1000
# RFM segments of customers who bought well and have gone quiet (seeds/rfm_segment_map.csv).
SLIPPING_SEGMENTS = ("Cannot lose them", "At risk", "About to sleep")

log = logging.getLogger("warehouse_api")


class Period(str, Enum):  # noqa: UP042 (StrEnum would change str() of a member)
    """The period of a KPI series: day, ISO week or month."""

    day = "day"
    week = "week"
    month = "month"


class Dimension(str, Enum):  # noqa: UP042 (StrEnum would change str() of a member)
    """What the monthly KPIs can be split by: country or category."""

    country = "country"
    category = "category"


# The KPI mart of each period and its date column; by dimension only monthly marts exist.
KPI_MARTS = {Period.day: ("kpi_daily", "date_day"), Period.week: ("kpi_weekly", "week_start_date"),
             Period.month: ("kpi_monthly", "month_start_date")}
KPI_BY_DIMENSION = {Dimension.country: "kpi_monthly_by_country",
                    Dimension.category: "kpi_monthly_by_category"}


def table(name: str) -> str:
    """A mart's qualified name (names come from this module, never from the request)."""
    return f'"{MARTS_SCHEMA}"."{name}"'


def plain(value: Any) -> Any:
    """NaN and infinities as JSON null."""
    return None if isinstance(value, float) and not math.isfinite(value) else value


def query(sql: str, params: list | None = None) -> list[dict]:
    """The rows of a query on the current warehouse, as dicts."""
    con = open_warehouse()
    try:
        cursor = con.execute(sql, params or [])
        names = [column[0] for column in cursor.description]
        return [{n: plain(v) for n, v in zip(names, row, strict=True)} for row in cursor.fetchall()]
    finally:
        con.close()


class Filters:
    """`where` conditions and their parameters, built from optional request values."""

    def __init__(self) -> None:
        self.conditions: list[str] = []
        self.params: list = []

    def add(self, condition: str, value: Any) -> None:
        """Add `condition` (with a ? placeholder) and its value, unless the value is None."""
        if value is not None:
            self.conditions.append(condition)
            self.params.append(value.value if isinstance(value, Enum) else value)

    def sql(self) -> str:
        """The `where` clause of the conditions added, or an empty string if there are none."""
        return f"where {' and '.join(self.conditions)}" if self.conditions else ""


Limit = Annotated[int, Query(ge=1, le=MAX_LIMIT, description=f"page size, at most {MAX_LIMIT}")]
Offset = Annotated[int, Query(ge=0, description="rows to skip")]


def page(source: str, filters: Filters, order_by: str, limit: int, offset: int) -> dict:
    """One page of `select * from source` (a table or a subquery) with its total row count."""
    where = filters.sql()
    total = query(f"select count(*) as n from {source} {where}", filters.params)[0]["n"]
    items = query(f"select * from {source} {where} order by {order_by} limit ? offset ?",
                  [*filters.params, limit, offset])
    return {"total": total, "limit": limit, "offset": offset, "items": items}


def check_api_key(key: str | None = Depends(APIKeyHeader(name="X-API-Key", auto_error=False))):
    """Refuse a request (401) whose X-API-Key header is missing or wrong, when WAREHOUSE_API_KEY
    (API_KEY_ENV) is set."""
    expected = os.environ.get(API_KEY_ENV)
    if expected and not (key and secrets.compare_digest(key, expected)):
        raise HTTPException(status_code=401, detail="missing or wrong X-API-Key header")


app = FastAPI(title="E-commerce warehouse API",
              description="Read-only access to the published warehouse's marts.",
              version="0.1.0")
secured = [Depends(check_api_key)]


@app.exception_handler(FileNotFoundError)
def no_warehouse(request: Request, error: FileNotFoundError) -> JSONResponse:
    """No warehouse published yet: 503 and what to do, not a stack trace."""
    return JSONResponse(status_code=503, content={"detail": str(error)})


@app.middleware("http")
async def log_request(request: Request, call_next):
    """One JSON line per request: method, path, query, status and duration."""
    start = time.perf_counter()
    status = 500
    try:
        response = await call_next(request)
        status = response.status_code
        return response
    finally:
        log.info(json.dumps({
            "event": "request", "method": request.method, "path": request.url.path,
            "query": request.url.query, "status": status,
            "duration_ms": round((time.perf_counter() - start) * 1000, 1),
            "client": request.client.host if request.client else None}))


@app.get("/health")
def health() -> dict:
    """Whether the warehouse can be read, and its latest order date."""
    latest = query(f"select max(order_date)::varchar as d from {table('fct_orders')}")[0]["d"]
    return {"status": "ok", "latest_order_date": latest}


@app.get("/kpis", dependencies=secured)
def kpis(period: Period = Period.month, dimension: Dimension | None = None,
         value: Annotated[str | None, Query(description="a country or category")] = None,
         start: date | None = None, end: date | None = None,
         limit: Limit = 100, offset: Offset = 0) -> dict:
    """KPIs per day, ISO week or month (kpi_* marts), optionally per country or category
    (monthly only), between `start` and `end` (period start dates, inclusive)."""
    mart, date_column = KPI_MARTS[period]
    if dimension is not None:
        if period is not Period.month:
            raise HTTPException(422, detail=[{
                "loc": ["query", "dimension"], "type": "value_error",
                "msg": "a dimension is only available with period=month"}])
        mart = KPI_BY_DIMENSION[dimension]
    elif value is not None:
        raise HTTPException(422, detail=[{"loc": ["query", "value"], "type": "value_error",
                                          "msg": "value needs a dimension"}])
    filters = Filters()
    filters.add(f"{date_column} >= ?", start)
    filters.add(f"{date_column} <= ?", end)
    if dimension is not None:
        filters.add(f"{dimension.value} = ?", value)
    order = f"{date_column}, {dimension.value}" if dimension else date_column
    return page(table(mart), filters, order, limit, offset)


@app.get("/cohorts", dependencies=secured)
def cohorts(cohort_month: date | None = None, limit: Limit = 100, offset: Offset = 0) -> dict:
    """Cohort retention (cohort_retention): per first-order month and months since."""
    filters = Filters()
    filters.add("cohort_month = ?", cohort_month)
    return page(table("cohort_retention"), filters, "cohort_month, months_since_first_order",
                limit, offset)


@app.get("/segments", dependencies=secured)
def segments() -> dict:
    """Customers and revenue per RFM segment and value tier, with the recommended action."""
    items = query(f"select * from {table('segment_summary')} order by segment_type, display_order")
    return {"items": items}


# The customer columns of the lists: who they are, how they buy, what they are worth.
CUSTOMER_LIST = f"""(
    select r.customer_id, c.country, r.rfm_segment, r.rfm_code, r.value_tier, r.recency_days,
           r.frequency, r.monetary, s.cluster_label, p.churn_probability, b.clv
    from {table('customer_rfm')} r
    join {table('dim_customers')} c using (customer_id)
    left join {table('customer_segments')} s using (customer_id)
    left join {table('churn_predictions')} p using (customer_id)
    left join {table('clv_bgnbd')} b using (customer_id)
)"""


@app.get("/customers", dependencies=secured)
def customers(rfm_segment: str | None = None, value_tier: str | None = None,
              country: str | None = None, limit: Limit = 100, offset: Offset = 0) -> dict:
    """Customers with a purchase, by net revenue (highest first), filtered."""
    filters = Filters()
    filters.add("rfm_segment = ?", rfm_segment)
    filters.add("value_tier = ?", value_tier)
    filters.add("country = ?", country)
    return page(CUSTOMER_LIST, filters, "monetary desc, customer_id", limit, offset)


@app.get("/customers/best", dependencies=secured)
def best_customers(limit: Limit = 10, offset: Offset = 0) -> dict:
    """Seed question "who are our best customers": the highest net revenue to date."""
    return customers(limit=limit, offset=offset)


@app.get("/customers/slipping-away", dependencies=secured)
def slipping_away(limit: Limit = 10, offset: Offset = 0) -> dict:
    """Seed question "who is slipping away": customers of the RFM segments Cannot lose them,
    At risk and About to sleep (bought well, quiet lately), most valuable first."""
    filters = Filters()
    filters.conditions.append(f"rfm_segment in ({', '.join('?' for _ in SLIPPING_SEGMENTS)})")
    filters.params += SLIPPING_SEGMENTS
    return page(CUSTOMER_LIST, filters, "monetary desc, customer_id", limit, offset)


def one_row(name: str, customer_id: str) -> dict | None:
    """The customer's row of mart `name` without its customer_id, or None if it has none."""
    rows = query(f"select * exclude (customer_id) from {table(name)} where customer_id = ?",
                 [customer_id])
    return rows[0] if rows else None


@app.get("/customers/{customer_id}", dependencies=secured)
def customer_profile(customer_id: str) -> dict:
    """A customer's profile: dim_customers, RFM, K-Means cluster, churn probability, CLV
    (classifier and BG/NBD) and next-purchase class; null where the customer is not scored."""
    profile = one_row("dim_customers", customer_id)
    if profile is None:
        raise HTTPException(404, detail=f"no customer {customer_id!r}")
    return {"customer_id": customer_id, "profile": profile,
            "rfm": one_row("customer_rfm", customer_id),
            "segment": one_row("customer_segments", customer_id),
            "churn": one_row("churn_predictions", customer_id),
            "clv": one_row("clv_predictions", customer_id),
            "clv_bgnbd": one_row("clv_bgnbd", customer_id),
            "next_purchase": one_row("next_purchase_predictions", customer_id)}


@app.get("/products/{product_id}/recommendations", dependencies=secured)
def recommendations(product_id: str, limit: Limit = 10, offset: Offset = 0) -> dict:
    """Cross-sell: what to show next to a product (cross_sell_recommendations), best first."""
    if not query(f"select 1 from {table('dim_products')} where product_id = ?", [product_id]):
        raise HTTPException(404, detail=f"no product {product_id!r}")
    filters = Filters()
    filters.add("product_id = ?", product_id)
    return page(table("cross_sell_recommendations"), filters, "recommendation_rank", limit,
                offset)


@app.get("/bundles", dependencies=secured)
def bundles(maximal_only: bool = True, limit: Limit = 10, offset: Offset = 0) -> dict:
    """Seed question "what sells together": product bundles (product_bundles) by rank;
    by default only the maximal ones (not part of a larger bundle)."""
    filters = Filters()
    if maximal_only:
        filters.conditions.append("is_maximal")
    return page(table("product_bundles"), filters, "bundle_rank", limit, offset)


def main() -> None:
    """Serve the API with uvicorn on API_HOST:API_PORT (default 127.0.0.1:8000)."""
    import uvicorn

    logging.basicConfig(level=logging.INFO, format="%(message)s")
    uvicorn.run(app, host=os.environ.get("API_HOST", "127.0.0.1"),
                port=int(os.environ.get("API_PORT", "8000")), access_log=False)


if __name__ == "__main__":
    main()
