"""The docs site describes everything: every model, seed, source and their columns, for every
source system (adapters of the other source systems are parsed as disabled nodes), and every
metric and semantic model with its entities, dimensions and measures; and each description
is written once (a doc block or a YAML anchor for a text several columns share)."""

import json
from collections import defaultdict

import yaml

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


def repeated_descriptions(files: dict[str, str]) -> dict[str, list[str]]:
    """Each description (other than a doc() reference) written more than once in the YAML
    files ({name: text}), with where: '<file>:<path>'. A YAML alias is the text written once."""
    places = defaultdict(list)

    def walk(node, path, seen):
        if id(node) in seen:  # an alias of a node already walked
            return
        seen.add(id(node))
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                if key.value == "description" and isinstance(value, yaml.ScalarNode):
                    if id(value) not in seen and value.value.strip() \
                            and "doc(" not in value.value:
                        places[" ".join(value.value.split())].append(path)
                    seen.add(id(value))
                else:
                    walk(value, f"{path}/{key.value}", seen)
        elif isinstance(node, yaml.SequenceNode):
            for item in node.value:
                name = next((v.value for k, v in item.value if k.value == "name"), "?") \
                    if isinstance(item, yaml.MappingNode) else "?"
                walk(item, f"{path}/{name}", seen)

    for name, text in files.items():
        walk(yaml.compose(text), name + ":", set())
    return {text: where for text, where in places.items() if len(where) > 1}


def test_repeated_descriptions_are_found_across_files_but_not_through_aliases():
    a = """
models:
  - name: m
    description: Model m.
    columns:
      - {name: x, description: "Shared   text."}
      - {name: y, description: "{{ doc('col_y') }}"}
      - name: z
        description: &z_text >
          Written once,
          used twice.
  - name: n
    description: Model n.
    columns:
      - {name: z, description: *z_text}
"""
    b = """
models:
  - name: o
    description: Shared text.
    columns:
      - {name: y, description: "{{ doc('col_y') }}"}
"""
    assert repeated_descriptions({"a.yml": a, "b.yml": b}) == {
        "Shared text.": ["a.yml:/models/m/columns/x", "b.yml:/models/o"]}


def test_no_description_is_written_twice():
    files = {str(path.relative_to(REPO_ROOT)): path.read_text()
             for path in sorted((REPO_ROOT / "models").rglob("*.yml"))}
    repeated = repeated_descriptions(files)
    assert repeated == {}, "written more than once (use a doc block):\n  " + "\n  ".join(
        f"{text!r}: {where}" for text, where in repeated.items())
