"""The staging layout (README "Adding a source adapter"), checked on the parsed project for
every source system (the adapters of the other source systems are parsed as disabled nodes):

* a model in models/staging/<source>/ is `base/base_<source>__<table>` or
  `stg_<source>__<entity>`;
* a base model reads one raw table of its source (or, for the mapped source, the mapping
  file's files) and no model;
* a stg model reads raw tables and base models of its own source, never another stg model;
* outside staging nothing reads a base model, except the reconciliations in READ_RAW_ROWS;
* every entity a source lists in var source_system_entities has its stg model, which is how
  the contract finds it (macros/contract/entity_model.sql)."""

import json
import re

import yaml

from dbt_runner import REPO_ROOT, SHARED_TARGET, run_dbt

TINY_SHOP = REPO_ROOT / "tests" / "python" / "fixtures" / "tiny_shop"
# Models outside staging that count a source's raw rows, so they read its base models.
READ_RAW_ROWS = {
    "olist_raw_reconciliation": "raw = clean + quarantined per raw Olist file",
    "olist_payment_reconciliation": "payments against order totals, from the raw files",
}
STAGING_PATH = re.compile(
    r"models/staging/(?P<source>[a-z_]+)/(?P<base>base/)?(?P<file>[a-z_]+)\.sql")


def layout_problems(models: list[dict], entities: dict[str, list[str]]) -> list[str]:
    """What breaks the layout, one line per problem. models: manifest nodes (name,
    original_file_path, refs, sources); entities: var source_system_entities."""
    by_name = {model["name"]: model for model in models}
    problems = []
    for model in models:
        name, path = model["name"], model["original_file_path"]
        refs = sorted({ref["name"] for ref in model["refs"]})
        sources = sorted({source for source, _ in model["sources"]})
        staging = STAGING_PATH.fullmatch(path)
        if not staging:
            read_base = [ref for ref in refs if ref.startswith("base_")]
            if read_base and name not in READ_RAW_ROWS:
                problems.append(f"{name}: outside staging, reads base models {read_base}")
            continue
        source = staging["source"]
        kind = "base" if staging["base"] else "stg"
        if name != staging["file"] or not name.startswith(f"{kind}_{source}__"):
            where = f"models/staging/{source}/" + ("base/" if kind == "base" else "")
            problems.append(f"{name}: in {where} must be named {kind}_{source}__<name>")
            continue
        foreign = [s for s in sources if s != source]
        if foreign:
            problems.append(f"{name}: reads raw tables of other sources {foreign}")
        if kind == "base":
            if refs or len(model["sources"]) > 1:
                problems.append(f"{name}: a base model reads one raw table, not {refs or sources}")
        else:
            wrong = [ref for ref in refs if not ref.startswith(f"base_{source}__")]
            if wrong:
                problems.append(f"{name}: a stg model reads only base_{source}__* models, "
                                f"not {wrong}")
    for source, listed in entities.items():
        missing = [f"stg_{source}__{entity}" for entity in listed
                   if f"stg_{source}__{entity}" not in by_name]
        if missing:
            problems.append(f"{source}: entities without their stg model {missing}")
    return problems


def model(path: str, refs=(), sources=()) -> dict:
    return {"name": path.rsplit("/", 1)[-1].removesuffix(".sql"), "original_file_path": path,
            "refs": [{"name": ref} for ref in refs], "sources": [list(s) for s in sources]}


def test_layout_problems_names_each_broken_rule():
    shop = "models/staging/shop"
    models = [
        # as they should be
        model(f"{shop}/base/base_shop__orders.sql", sources=[("shop", "orders")]),
        model(f"{shop}/stg_shop__order_lines.sql", refs=["base_shop__orders"]),
        model(f"{shop}/stg_shop__customers.sql", sources=[("shop", "customers")]),
        model("models/intermediate/int_x.sql", refs=["stg_shop__order_lines"]),
        model("models/marts/data_quality/olist_raw_reconciliation.sql", refs=["base_shop__orders"]),
        # one broken rule each
        model(f"{shop}/base/stg_shop__products.sql", sources=[("shop", "products")]),
        model(f"{shop}/base/base_shop__items.sql", refs=["base_shop__orders"]),
        model(f"{shop}/stg_shop__shipments.sql", refs=["stg_shop__order_lines"]),
        model(f"{shop}/stg_shop__coupons.sql", sources=[("other", "coupons")]),
        model("models/marts/fct_x.sql", refs=["base_shop__orders", "stg_shop__customers"]),
    ]
    assert layout_problems(models, {"shop": ["order_lines", "customers", "reviews"]}) == [
        "stg_shop__products: in models/staging/shop/base/ must be named base_shop__<name>",
        "base_shop__items: a base model reads one raw table, not ['base_shop__orders']",
        "stg_shop__shipments: a stg model reads only base_shop__* models, "
        "not ['stg_shop__order_lines']",
        "stg_shop__coupons: reads raw tables of other sources ['other']",
        "fct_x: outside staging, reads base models ['base_shop__orders']",
        "shop: entities without their stg model ['stg_shop__reviews']",
    ]


def test_every_source_follows_the_staging_layout(tmp_path):
    result = run_dbt(["parse"], TINY_SHOP, tmp_path)
    assert result.returncode == 0, result.stdout[-4000:]
    manifest = json.loads((SHARED_TARGET / "manifest.json").read_text())
    nodes = [*manifest["nodes"].values(),
             *(node for versions in manifest["disabled"].values() for node in versions)]
    models = [node for node in nodes if node["resource_type"] == "model"]
    entities = yaml.safe_load((REPO_ROOT / "dbt_project.yml").read_text())["vars"][
        "source_system_entities"]
    # every source's adapter is in the parse (enabled or disabled), and is checked
    assert {STAGING_PATH.fullmatch(m["original_file_path"])["source"] for m in models
            if STAGING_PATH.fullmatch(m["original_file_path"])} == set(entities)
    assert layout_problems(models, entities) == []
