"""The docs site describes everything: every model, seed, source and their columns, for every
source system (adapters of the other source systems are parsed as disabled nodes), and every
metric and semantic model with its entities, dimensions and measures."""

import json

from dbt_runner import REPO_ROOT, SHARED_TARGET, run_dbt

TINY_SHOP = REPO_ROOT / "tests" / "python" / "fixtures" / "tiny_shop"
DOCUMENTED = {"model", "seed", "source", "snapshot"}


def undocumented(manifest: dict) -> list[str]:
    """'<unique id>' or '<unique id>.<column>' of each node or column with no description."""
    nodes = [*manifest["nodes"].values(), *manifest["sources"].values(),
             *(node for versions in manifest["disabled"].values() for node in versions)]
    missing = []
    for node in nodes:
        if node["resource_type"] not in DOCUMENTED:
            continue
        if not node["description"].strip():
            missing.append(node["unique_id"])
        missing += [f"{node['unique_id']}.{name}" for name, column in node["columns"].items()
                    if not column["description"].strip()]
    for model in manifest["semantic_models"].values():
        parts = [*model["entities"], *model["dimensions"], *model["measures"]]
        missing += [f"{model['unique_id']}.{part['name']}" for part in parts
                    if not (part["description"] or "").strip()]
    missing += [node["unique_id"] for node in [*manifest["semantic_models"].values(),
                                               *manifest["metrics"].values()]
                if not (node["description"] or "").strip()]
    return sorted(set(missing))


def test_undocumented_lists_nodes_and_columns_without_description():
    def node(uid, description, **columns):
        return {"unique_id": uid, "resource_type": uid.split(".")[0], "description": description,
                "columns": {k: {"description": v} for k, v in columns.items()}}
    manifest = {
        "nodes": {"a": node("model.p.a", "A", x="X", y=" "),
                  "t": node("test.p.t", "")},
        "sources": {"s": node("source.p.s", "")},
        "disabled": {"b": [node("model.p.b", "B", z="")]},
        "semantic_models": {"sm": {"unique_id": "semantic_model.p.sm", "description": "S",
                                   "entities": [{"name": "e", "description": None}],
                                   "dimensions": [{"name": "d", "description": "D"}],
                                   "measures": []}},
        "metrics": {"m": {"unique_id": "metric.p.m", "description": ""}},
    }
    assert undocumented(manifest) == ["metric.p.m", "model.p.a.y", "model.p.b.z",
                                      "semantic_model.p.sm.e", "source.p.s"]


def test_every_model_source_and_column_is_described(tmp_path):
    result = run_dbt(["parse"], TINY_SHOP, tmp_path)
    assert result.returncode == 0, result.stdout[-4000:]
    manifest = json.loads((SHARED_TARGET / "manifest.json").read_text())
    assert len(manifest["sources"]) > 0 and len(manifest["disabled"]) > 0
    missing = undocumented(manifest)
    assert missing == [], "no description:\n  " + "\n  ".join(missing)
