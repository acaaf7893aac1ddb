{#-
    The canonical contract: the entities every source adapter maps into, their columns, how each
    column is typed, and the rules that send a row to quarantine. Staging models deliver these
    columns as text (plus source_file and source_row_number); `validate_entity` types and checks
    them, so the cleaning rules are written once for every source.

    Column keys:
      type      text | integer | number | date | timestamp
      required  a row without a value is quarantined as `missing_<column>`
      spelling  text whose case/whitespace varies: replaced by the most common spelling of the
                same case-insensitive value (so ' UNITED kingdom' becomes 'United Kingdom')
    A value that is present but cannot be read as its type is quarantined as `invalid_<column>`.
    `rules` are checked next, in order ({reason: condition on the typed columns}); then copies
    of an earlier row (same text in every column but those in `duplicate_ignores`) are
    `duplicate`, and a different row with the same `unique_key` as an earlier one is
    `conflicting_duplicate` (the first row in file order is kept). Order lines ignore
    `line_number` there: some exports have none and staging numbers the lines, so a copied line
    differs from its original by its number alone.

    Order lines carry their order's `order_status`: `completed` (or `returned` for a return
    line) where the source has no status of its own; Olist's own statuses (delivered, shipped,
    invoiced, processing, created, approved, canceled, unavailable) as they come. A line of a
    canceled or unavailable order was never sold: it is quarantined as `canceled_order` /
    `unavailable_order`, so no sales mart counts it, and it stays visible in quarantined_rows
    (raw rows = clean + quarantined still holds). These two rules come first: a canceled
    order's line is a canceled line whatever else is wrong with it.
-#}
{% macro canonical_entities() %}
{{ return({
    "order_lines": {
        "columns": [
            {"name": "order_id", "type": "text", "required": true},
            {"name": "line_number", "type": "integer", "required": true},
            {"name": "ordered_at", "type": "timestamp", "required": true},
            {"name": "customer_id", "type": "text"},
            {"name": "product_id", "type": "text", "required": true},
            {"name": "quantity", "type": "integer", "required": true},
            {"name": "unit_price", "type": "number", "required": true},
            {"name": "discount_pct", "type": "number"},
            {"name": "coupon_code", "type": "text"},
            {"name": "return_of_order_id", "type": "text"},
            {"name": "order_status", "type": "text"},
        ],
        "rules": [
            {"reason": "canceled_order", "when": "lower(order_status) = 'canceled'"},
            {"reason": "unavailable_order", "when": "lower(order_status) = 'unavailable'"},
            {"reason": "zero_quantity", "when": "quantity = 0"},
            {"reason": "outlier_quantity", "when": "abs(quantity) > " ~ var("max_line_quantity")},
            {"reason": "non_positive_price", "when": "unit_price < 0" if zero_price_is_purchase() else "unit_price <= 0"},
            {"reason": "invalid_discount", "when": "discount_pct < 0 or discount_pct > 1"},
        ],
        "unique_key": ["order_id", "line_number"],
        "duplicate_ignores": ["line_number"],
    },
    "customers": {
        "columns": [
            {"name": "customer_id", "type": "text", "required": true},
            {"name": "signup_date", "type": "date"},
            {"name": "gender", "type": "text", "spelling": true},
            {"name": "country", "type": "text", "spelling": true},
            {"name": "city", "type": "text", "spelling": true},
        ],
        "rules": [],
        "unique_key": ["customer_id"],
    },
    "products": {
        "columns": [
            {"name": "product_id", "type": "text", "required": true},
            {"name": "product_name", "type": "text"},
            {"name": "category", "type": "text", "spelling": true},
            {"name": "list_price", "type": "number"},
        ],
        "rules": [{"reason": "non_positive_price", "when": "list_price <= 0"}],
        "unique_key": ["product_id"],
    },
    "tax_rates": {
        "columns": [
            {"name": "category", "type": "text", "required": true, "spelling": true},
            {"name": "tax_rate", "type": "number", "required": true},
        ],
        "rules": [{"reason": "invalid_tax_rate", "when": "tax_rate < 0 or tax_rate > 1"}],
        "unique_key": ["category"],
    },
    "coupons": {
        "columns": [
            {"name": "coupon_code", "type": "text", "required": true},
            {"name": "category", "type": "text", "spelling": true},
            {"name": "discount_pct", "type": "number", "required": true},
            {"name": "valid_from", "type": "date"},
            {"name": "valid_to", "type": "date"},
        ],
        "rules": [{"reason": "invalid_discount", "when": "discount_pct < 0 or discount_pct > 1"}],
        "unique_key": ["coupon_code"],
    },
    "shipments": {
        "columns": [
            {"name": "order_id", "type": "text", "required": true},
            {"name": "delivery_charge", "type": "number"},
            {"name": "promised_delivery_date", "type": "date"},
            {"name": "delivered_date", "type": "date"},
        ],
        "rules": [{"reason": "negative_delivery_charge", "when": "delivery_charge < 0"}],
        "unique_key": ["order_id"],
    },
    "reviews": {
        "columns": [
            {"name": "review_id", "type": "text", "required": true},
            {"name": "order_id", "type": "text", "required": true},
            {"name": "rating", "type": "integer", "required": true},
            {"name": "reviewed_at", "type": "timestamp"},
        ],
        "rules": [{"reason": "rating_out_of_range", "when": "rating not between 1 and 5"}],
        "unique_key": ["review_id"],
    },
    "web_events": {
        "columns": [
            {"name": "event_id", "type": "text", "required": true},
            {"name": "session_id", "type": "text", "required": true},
            {"name": "event_at", "type": "timestamp", "required": true},
            {"name": "customer_id", "type": "text"},
            {"name": "event_type", "type": "text", "required": true},
            {"name": "product_id", "type": "text"},
            {"name": "order_id", "type": "text"},
        ],
        "rules": [{
            "reason": "unknown_event_type",
            "when": "event_type not in ('page_view', 'product_view', 'add_to_cart', 'purchase')",
        }],
        "unique_key": ["event_id"],
    },
    "marketing_spend": {
        "columns": [
            {"name": "spend_date", "type": "date", "required": true},
            {"name": "channel", "type": "text", "required": true, "spelling": true},
            {"name": "spend", "type": "number", "required": true},
        ],
        "rules": [{"reason": "negative_spend", "when": "spend < 0"}],
        "unique_key": ["spend_date", "channel"],
    },
    "retention_offers": {
        "columns": [
            {"name": "customer_id", "type": "text", "required": true},
            {"name": "offered_date", "type": "date", "required": true},
            {"name": "experiment_group", "type": "text", "required": true},
            {"name": "coupon_code", "type": "text"},
        ],
        "rules": [{
            "reason": "unknown_experiment_group",
            "when": "experiment_group not in ('treatment', 'control')",
        }],
        "unique_key": ["customer_id", "offered_date"],
    },
}) }}
{% endmacro %}
