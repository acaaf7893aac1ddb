"""The project's layout follows the data (README "Adding a source adapter", docs/overview.md),
checked on the parsed project for every source system (the adapters of the other source
systems are parsed as disabled nodes):

* a model in models/staging/<source>/ is `base/base_<source>__<table>` or
  `stg_<source>__<entity>`;
* a base model reads one raw table of its source (or, for the mapped source, the mapping
  file's files) and no model;
* a stg model reads raw tables and base models of its own source, never another stg model;
* outside staging nothing reads a raw table, nor a base model (except the reconciliations in
  READ_RAW_ROWS);
* models/intermediate/ (the contract and what only it needs) never reads a mart: intermediate
  models built from marts sit with them in models/marts/;
* a domain's own intermediate models (models/marts/<domain>/intermediate/) are read only by
  that domain;
* every entity a source lists in var source_system_entities has its stg model, which is how
  the contract finds it (macros/contract/entity_model.sql);
* and dbt-project-evaluator's DAG rules: every raw table is read, by exactly one model, which
  reads nothing else (no source fanout, no join of raw tables, no direct join to a source),
  and every model has a parent except the ROOT_MODELS."""

import json
import re
from collections import defaultdict

import yaml

from dbt_runner import REPO_ROOT, SHARED_TARGET, run_dbt

TINY_SHOP = REPO_ROOT / "tests" / "python" / "fixtures" / "tiny_shop"
# Models outside staging that count a source's raw rows, so they read its base models.
READ_RAW_ROWS = {
    "olist_raw_reconciliation": "raw = clean + quarantined per raw Olist file",
    "olist_payment_reconciliation": "payments against order totals, from the raw files",
}
# Models with no parent in the DAG, and why.
ROOT_MODELS = {
    "base_mapped__order_lines": "reads the mapping file's files (a macro, not a dbt source)",
    **{f"stg_mapped__{entity}": "reads the mapping file's files, or builds empty"
       for entity in ["tax_rates", "coupons", "reviews", "web_events", "marketing_spend",
                      "retention_offers"]},
    "experiment_power": "the power table of the experiment's vars",
}
STAGING_PATH = re.compile(
    r"models/staging/(?P<source>[a-z_]+)/(?P<base>base/)?(?P<file>[a-z_]+)\.sql")
DOMAIN_INTERMEDIATE_PATH = re.compile(r"models/marts/(?P<domain>[a-z_]+)/intermediate/.*")


def staging_problems(model: dict, source: str, kind: str, file: str) -> list[str]:
    """What breaks the staging rules in a model of models/staging/<source>/."""
    name = model["name"]
    refs = sorted({ref["name"] for ref in model["refs"]})
    sources = sorted({source_name for source_name, _ in model["sources"]})
    if name != file or not name.startswith(f"{kind}_{source}__"):
        where = f"models/staging/{source}/" + ("base/" if kind == "base" else "")
        return [f"{name}: in {where} must be named {kind}_{source}__<name>"]
    problems = []
    foreign = [s for s in sources if s != source]
    if foreign:
        problems.append(f"{name}: reads raw tables of other sources {foreign}")
    if kind == "base" and (refs or len(model["sources"]) > 1):
        problems.append(f"{name}: a base model reads one raw table, not {refs or sources}")
    wrong = [ref for ref in refs if not ref.startswith(f"base_{source}__")]
    if kind == "stg" and wrong:
        problems.append(f"{name}: a stg model reads only base_{source}__* models, not {wrong}")
    return problems


def layout_problems(models: list[dict], raw_tables: list[tuple[str, str]],
                    entities: dict[str, list[str]]) -> list[str]:
    """What breaks the layout, one line per problem. models: manifest nodes (name,
    original_file_path, refs, sources); raw_tables: the declared (source, table)s; entities:
    var source_system_entities."""
    path_of = {model["name"]: model["original_file_path"] for model in models}
    problems = []
    for model in models:
        name, path = model["name"], model["original_file_path"]
        refs = sorted({ref["name"] for ref in model["refs"]})
        staging = STAGING_PATH.fullmatch(path)
        if staging:
            problems += staging_problems(model, staging["source"],
                                         "base" if staging["base"] else "stg", staging["file"])
            continue
        if model["sources"]:
            problems.append(f"{name}: outside staging, reads raw tables {model['sources']}")
        read_base = [ref for ref in refs if ref.startswith("base_")]
        if read_base and name not in READ_RAW_ROWS:
            problems.append(f"{name}: outside staging, reads base models {read_base}")
        read_marts = [ref for ref in refs if not path_of.get(ref, "models/").startswith(
            ("models/staging/", "models/intermediate/"))]
        if path.startswith("models/intermediate/") and read_marts:
            problems.append(f"{name}: in models/intermediate/, reads marts {read_marts} "
                            "(it belongs in models/marts/)")
        for ref in refs:
            private = DOMAIN_INTERMEDIATE_PATH.fullmatch(path_of.get(ref, ""))
            if private and not path.startswith(f"models/marts/{private['domain']}/"):
                problems.append(f"{name}: reads {ref}, an intermediate model of "
                                f"models/marts/{private['domain']}/ only")
    readers = defaultdict(list)
    for model in models:
        for source_table in model["sources"]:
            readers[tuple(source_table)].append(model["name"])
        if not model["refs"] and not model["sources"] and model["name"] not in ROOT_MODELS:
            problems.append(f"{model['name']}: reads nothing")
        if len(model["sources"]) > 1 or (model["sources"] and model["refs"]):
            problems.append(f"{model['name']}: a model reading a raw table reads nothing else")
    for source_table in raw_tables:
        if len(readers[source_table]) != 1:
            problems.append(f"raw table {'.'.join(source_table)}: read by "
                            f"{readers[source_table] or 'no model'}, not by one")
    for source, listed in entities.items():
        missing = [f"stg_{source}__{entity}" for entity in listed
                   if f"stg_{source}__{entity}" not in path_of]
        if missing:
            problems.append(f"{source}: entities without their stg model {missing}")
    return problems


def model(path: str, refs=(), sources=()) -> dict:
    return {"name": path.rsplit("/", 1)[-1].removesuffix(".sql").removesuffix(".py"),
            "original_file_path": path, "refs": [{"name": ref} for ref in refs],
            "sources": [list(s) for s in sources]}


def test_layout_problems_names_each_broken_rule():
    shop = "models/staging/shop"
    models = [
        # as they should be
        model(f"{shop}/base/base_shop__orders.sql", sources=[("shop", "orders")]),
        model(f"{shop}/stg_shop__order_lines.sql", refs=["base_shop__orders"]),
        model(f"{shop}/stg_shop__customers.sql", sources=[("shop", "customers")]),
        model("models/intermediate/int_x.sql", refs=["stg_shop__order_lines"]),
        model("models/marts/core/fct_y.sql", refs=["int_x"]),
        model("models/marts/sales/intermediate/int_z.sql", refs=["fct_y"]),
        model("models/marts/sales/kpi_z.sql", refs=["int_z"]),
        model("models/marts/data_quality/olist_raw_reconciliation.sql", refs=["base_shop__orders"]),
        model("python_models/experiments/experiment_power.py"),
        # one broken rule each
        model(f"{shop}/base/stg_shop__products.sql", sources=[("shop", "products")]),
        model(f"{shop}/base/base_shop__items.sql", refs=["base_shop__orders"]),
        model(f"{shop}/stg_shop__shipments.sql", refs=["stg_shop__order_lines"]),
        model(f"{shop}/stg_shop__coupons.sql", sources=[("other", "coupons")]),
        model("models/marts/fct_x.sql", refs=["base_shop__orders", "stg_shop__customers"]),
        model("models/intermediate/int_v.sql", refs=["fct_y"]),
        model("python_models/segments/segments.py", refs=["int_z"]),
        model("models/marts/core/dim_calendar.sql"),
        model(f"{shop}/stg_shop__tax_rates.sql", refs=["base_shop__orders"],
              sources=[("shop", "tax_rates")]),
        model(f"{shop}/base/base_shop__reviews.sql", sources=[("shop", "reviews")]),
        model(f"{shop}/stg_shop__reviews.sql", sources=[("shop", "reviews")]),
    ]
    raw_tables = [("shop", "orders"), ("shop", "customers"), ("shop", "products"),
                  ("other", "coupons"), ("shop", "tax_rates"), ("shop", "reviews"),
                  ("shop", "unused")]
    entities = {"shop": ["order_lines", "customers", "web_events"]}
    assert layout_problems(models, raw_tables, entities) == [
        "stg_shop__products: in models/staging/shop/base/ must be named base_shop__<name>",
        "base_shop__items: a base model reads one raw table, not ['base_shop__orders']",
        "stg_shop__shipments: a stg model reads only base_shop__* models, "
        "not ['stg_shop__order_lines']",
        "stg_shop__coupons: reads raw tables of other sources ['other']",
        "fct_x: outside staging, reads base models ['base_shop__orders']",
        "int_v: in models/intermediate/, reads marts ['fct_y'] (it belongs in models/marts/)",
        "segments: reads int_z, an intermediate model of models/marts/sales/ only",
        "dim_calendar: reads nothing",
        "stg_shop__tax_rates: a model reading a raw table reads nothing else",
        "raw table shop.reviews: read by ['base_shop__reviews', 'stg_shop__reviews'], not by one",
        "raw table shop.unused: read by no model, not by one",
        "shop: entities without their stg model ['stg_shop__web_events']",
    ]


def test_the_project_follows_the_layout_for_every_source(tmp_path):
    result = run_dbt(["parse"], TINY_SHOP, tmp_path)
    assert result.returncode == 0, result.stdout[-4000:]
    manifest = json.loads((SHARED_TARGET / "manifest.json").read_text())
    nodes = [*manifest["nodes"].values(),
             *(node for versions in manifest["disabled"].values() for node in versions)]
    models = [node for node in nodes if node["resource_type"] == "model"]
    entities = yaml.safe_load((REPO_ROOT / "dbt_project.yml").read_text())["vars"][
        "source_system_entities"]
    raw_tables = [(node["source_name"], node["name"]) for node in [
        *manifest["sources"].values(),
        *(node for versions in manifest["disabled"].values() for node in versions
          if node["resource_type"] == "source")]]
    # every source's adapter is in the parse (enabled or disabled), and is checked
    staged = {STAGING_PATH.fullmatch(m["original_file_path"]) for m in models} - {None}
    assert {match["source"] for match in staged} == set(entities)
    assert {source for source, _ in raw_tables} == set(entities) - {"mapped"}
    assert layout_problems(models, raw_tables, entities) == []
