"""Load the shipped dashboards (superset/dashboards.yaml) into a local Superset
(`make dashboards`; run with .venv-superset's Python).

1. In SUPERSET_HOME (default .superset/, ignored by git): a generated secret key, the metadata
   database (`superset db upgrade`, `superset init`) and the admin user (`admin`, password from
   SUPERSET_ADMIN_PASSWORD, else generated once into SUPERSET_HOME/admin_password).
2. An import bundle: the warehouse as a read-only DuckDB database (SQLALCHEMY_URI and
   ENGINE_PARAMS below, the README's BI guide shows the same), one dataset per mart used with
   its columns read from the warehouse, the charts and the dashboards; then
   `superset import-dashboards` (idempotent: fixed UUIDs, re-imports overwrite).
"""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

import yaml

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))  # the project's package, not installed in this venv
from ecommerce_warehouse.publish import serving_path  # noqa: E402
from ecommerce_warehouse.warehouse_reader import MARTS_SCHEMA, open_warehouse  # noqa: E402

SPEC = Path(__file__).with_name("dashboards.yaml")
CONFIG = Path(__file__).with_name("superset_config.py")
# How Superset (and any SQLAlchemy client) reaches the warehouse: read-only, so builds and other
# readers are never blocked. Superset: Database → DuckDB → SQLAlchemy URI, Advanced → Other →
# Engine parameters.
SQLALCHEMY_URI = "duckdb:///{path}"
ENGINE_PARAMS = {"connect_args": {"read_only": True}}
ADMIN = "admin"
DATE_TYPES = ("DATE", "TIMESTAMP")


def superset_home() -> Path:
    """SUPERSET_HOME (default .superset/ in the repository), created if absent."""
    home = Path(os.environ.get("SUPERSET_HOME") or REPO_ROOT / ".superset").resolve()
    home.mkdir(parents=True, exist_ok=True)
    return home


def secret(path: Path, value: str | None = None) -> str:
    """The content of a private file, written first (with `value` or a random token) if absent."""
    if not path.exists():
        path.write_text((value or secrets.token_urlsafe(32)) + "\n")
        path.chmod(0o600)
    return path.read_text().strip()


def superset_env(home: Path) -> dict:
    """The environment of a superset command: SUPERSET_HOME, the configuration file, FLASK_APP."""
    return dict(os.environ, SUPERSET_HOME=str(home), SUPERSET_CONFIG_PATH=str(CONFIG),
                FLASK_APP="superset")


def superset(home: Path, *args: str) -> None:
    """Run a superset command; exit with the end of its output if it fails."""
    command = [str(Path(sys.executable).parent / "superset"), *args]
    result = subprocess.run(command, env=superset_env(home), capture_output=True, text=True)
    if result.returncode != 0:
        raise SystemExit(f"`superset {' '.join(args)}` failed:\n{result.stdout[-3000:]}"
                         f"\n{result.stderr[-3000:]}")


def initialise(home: Path) -> str:
    """Metadata database, roles and the admin user, once; the admin password."""
    secret(home / "secret_key")
    password = secret(home / "admin_password", os.environ.get("SUPERSET_ADMIN_PASSWORD"))
    done = home / ".initialised"
    if not done.exists():
        print(f"==> creating Superset's metadata database in {home} (about a minute)", flush=True)
        superset(home, "db", "upgrade")
        superset(home, "fab", "create-admin", "--username", ADMIN, "--firstname", "Warehouse",
                 "--lastname", "Admin", "--email", "admin@localhost", "--password", password)
        superset(home, "init")
        done.touch()
    return password


def adhoc_metric(text: str) -> dict:
    """`SUM(net_revenue)` as a Superset adhoc metric."""
    aggregate, column = text.rstrip(")").split("(")
    return {"expressionType": "SIMPLE", "aggregate": aggregate,
            "column": {"column_name": column}, "label": text}


def chart_params(chart: dict, dataset_uid: str) -> dict:
    """A chart's form data for the bundle: its dataset, ad-hoc metrics and `where` filter."""
    params = dict(chart["params"], datasource=dataset_uid)
    if "metrics" in params:
        params["metrics"] = [adhoc_metric(m) for m in params["metrics"]]
    if "metric" in params:
        params["metric"] = adhoc_metric(params["metric"])
    params["adhoc_filters"] = [{"expressionType": "SQL", "clause": "WHERE",
                                "sqlExpression": chart["where"]}] if "where" in chart else []
    return params


def dataset_columns(table: str, served: Path) -> list[dict]:
    """The dataset columns of a mart, read from the served warehouse; exit if it has no such
    mart."""
    con = open_warehouse(served)
    try:
        rows = con.execute("select column_name, data_type from information_schema.columns "
                           "where table_schema = ? and table_name = ? order by ordinal_position",
                           [MARTS_SCHEMA, table]).fetchall()
    finally:
        con.close()
    if not rows:
        raise SystemExit(f"no mart {MARTS_SCHEMA}.{table} in {served}: run `make build`")
    return [{"column_name": name, "type": kind, "is_dttm": kind.startswith(DATE_TYPES),
             "groupby": True, "filterable": True, "is_active": True} for name, kind in rows]


def position(title: str, charts: list[dict]) -> dict:
    """Two charts per row, each half the width."""
    layout = {"DASHBOARD_VERSION_KEY": "v2",
              "ROOT_ID": {"type": "ROOT", "id": "ROOT_ID", "children": ["GRID_ID"]},
              "HEADER_ID": {"type": "HEADER", "id": "HEADER_ID", "meta": {"text": title}},
              "GRID_ID": {"type": "GRID", "id": "GRID_ID", "children": [],
                          "parents": ["ROOT_ID"]}}
    for i, chart in enumerate(charts):
        row = f"ROW-{i // 2}"
        if row not in layout:
            layout["GRID_ID"]["children"].append(row)
            layout[row] = {"type": "ROW", "id": row, "children": [],
                           "parents": ["ROOT_ID", "GRID_ID"],
                           "meta": {"background": "BACKGROUND_TRANSPARENT"}}
        chart_id = f"CHART-{i}"
        layout[row]["children"].append(chart_id)
        layout[chart_id] = {"type": "CHART", "id": chart_id, "children": [],
                            "parents": ["ROOT_ID", "GRID_ID", row],
                            "meta": {"uuid": chart["uuid"], "chartId": 0,
                                     "sliceName": chart["name"], "width": 6, "height": 50}}
    return layout


def bundle_files(spec: dict, warehouse: Path) -> dict[str, dict]:
    """The import bundle: path inside the zip → YAML content."""
    database = spec["database"]
    files = {"metadata.yaml": {"version": "1.0.0", "type": "Dashboard",
                               "timestamp": "2026-01-01T00:00:00+00:00"},
             f"databases/{database['name']}.yaml": {
                 "database_name": database["name"], "uuid": database["uuid"],
                 "sqlalchemy_uri": SQLALCHEMY_URI.format(path=warehouse),
                 "extra": {"engine_params": ENGINE_PARAMS}, "expose_in_sqllab": True,
                 "allow_dml": False, "allow_ctas": False, "allow_cvas": False,
                 "allow_run_async": False, "version": "1.0.0"}}
    for table, uuid in spec["datasets"].items():
        columns = dataset_columns(table, warehouse)
        files[f"datasets/{database['name']}/{table}.yaml"] = {
            "table_name": table, "schema": MARTS_SCHEMA, "uuid": uuid,
            "database_uuid": database["uuid"], "columns": columns,
            "main_dttm_col": next((c["column_name"] for c in columns if c["is_dttm"]), None),
            "metrics": [{"metric_name": "count", "expression": "count(*)"}],
            "version": "1.0.0"}
    for chart in spec["charts"]:
        params = chart_params(chart, f"{chart['dataset']}__table")
        files[f"charts/{chart['uuid']}.yaml"] = {
            "slice_name": chart["name"], "viz_type": params["viz_type"], "params": params,
            "uuid": chart["uuid"], "dataset_uuid": spec["datasets"][chart["dataset"]],
            "query_context": None, "cache_timeout": None, "version": "1.0.0"}
    charts = {chart["name"]: chart for chart in spec["charts"]}
    for dashboard in spec["dashboards"]:
        files[f"dashboards/{dashboard['slug']}.yaml"] = {
            "dashboard_title": dashboard["title"], "slug": dashboard["slug"],
            "uuid": dashboard["uuid"], "published": True, "metadata": {},
            "position": position(dashboard["title"], [charts[n] for n in dashboard["charts"]]),
            "version": "1.0.0"}
    return files


def main() -> None:
    """Load the shipped dashboards into the local Superset."""
    home = superset_home()
    # the serving file (views over the published Parquet): Superset's pooled connections see
    # each new build (README, Reading the warehouse from BI tools)
    warehouse = serving_path()
    if not warehouse.exists():
        raise SystemExit(f"no published warehouse at {warehouse}: run `make build` first")
    initialise(home)
    spec = yaml.safe_load(SPEC.read_text())
    with tempfile.TemporaryDirectory() as tmp:
        bundle = Path(tmp) / "dashboards.zip"
        with zipfile.ZipFile(bundle, "w") as archive:
            for name, content in bundle_files(spec, warehouse).items():
                archive.writestr(f"warehouse_dashboards/{name}", yaml.safe_dump(content))
        superset(home, "import-dashboards", "--path", str(bundle), "--username", ADMIN)
    print(f"==> loaded {len(spec['dashboards'])} dashboards ({len(spec['charts'])} charts) on "
          f"{warehouse}, read-only; `make superset` serves them on http://127.0.0.1:8088 "
          f"(user {ADMIN}, password in {home / 'admin_password'})")


if __name__ == "__main__":
    main()
