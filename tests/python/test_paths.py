"""DBT_DUCKDB_PATH and RAW_DATA_PATH mean the same files whatever the current directory."""

import subprocess
import sys

from ecommerce_warehouse.paths import REPO_ROOT, configure_environment, mapping_path


def without_extension(environ):
    return {k: v for k, v in environ.items() if k != "DUCKDB_EXCEL_EXTENSION"}


def test_defaults_and_relative_paths_are_taken_from_the_repository_root():
    environ = {"RAW_DATA_PATH": "elsewhere/raw"}
    configure_environment(environ)
    assert without_extension(environ) == {
        "DBT_DUCKDB_PATH": str(REPO_ROOT / "warehouse.duckdb"),
        "RAW_DATA_PATH": str(REPO_ROOT / "elsewhere" / "raw"),
        "ECOMMERCE_WAREHOUSE_ROOT": str(REPO_ROOT),
    }


def test_absolute_paths_and_in_memory_databases_are_kept(tmp_path):
    environ = {"DBT_DUCKDB_PATH": ":memory:", "RAW_DATA_PATH": str(tmp_path)}
    configure_environment(environ)
    assert without_extension(environ) == {
        "DBT_DUCKDB_PATH": ":memory:", "RAW_DATA_PATH": str(tmp_path),
        "ECOMMERCE_WAREHOUSE_ROOT": str(REPO_ROOT)}


def test_mapping_names_are_shipped_mappings_and_paths_are_taken_from_the_root(tmp_path):
    assert mapping_path("shopify") == REPO_ROOT / "mappings" / "shopify.yml"
    assert mapping_path("shops/mine.yml") == REPO_ROOT / "shops" / "mine.yml"
    assert mapping_path(str(tmp_path / "m.yaml")) == tmp_path / "m.yaml"
    environ = {"SOURCE_MAPPING": "woocommerce"}
    configure_environment(environ)
    assert environ["SOURCE_MAPPING"] == str(REPO_ROOT / "mappings" / "woocommerce.yml")


def test_the_virtualenv_resolves_them_at_start_up_from_any_directory(tmp_path):
    # The .pth hook written by `make venv` runs configure_environment in every interpreter
    # of the project's virtualenv, so dbt started from tmp_path still writes under the repo.
    result = subprocess.run(
        [sys.executable, "-c", "import os; print(os.environ['DBT_DUCKDB_PATH'])"],
        cwd=tmp_path, env={"DBT_DUCKDB_PATH": "build/w.duckdb"},
        capture_output=True, text=True, check=True,
    )
    assert result.stdout.strip() == str(REPO_ROOT / "build" / "w.duckdb")
