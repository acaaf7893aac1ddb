# Two commands: `make run` builds the demo warehouse and its docs; `make test` runs every check.
# Everything runs from the project's own virtualenv (.venv), created on first use.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
UV_VERSION := 0.13.9
ROOT := $(abspath .)

# Paths are absolute so that dbt, DuckDB and the generator agree whatever the current directory.
export DBT_DUCKDB_PATH ?= $(ROOT)/warehouse.duckdb
export RAW_DATA_PATH ?= $(ROOT)/data/demo
export DBT_PROFILES_DIR := $(ROOT)/profiles
export WAREHOUSE_EXPORTS_PATH ?= $(ROOT)/exports
DBT_ARGS ?=
# A shop's own exports: SOURCE_MAPPING (a mapping file, or a shipped one's name such as shopify;
# docs/source_mapping.md) builds source_system mapped from RAW_DATA_PATH, and no demo shop is
# generated there.
export SOURCE_MAPPING ?=
SOURCE_ARGS := $(if $(SOURCE_MAPPING),--vars '{source_system: mapped}',)
RAW_DATA := $(if $(SOURCE_MAPPING),venv,demo-data)
DEMO_CUSTOMERS ?= 5000
DEMO_SEED ?= 42

.PHONY: help venv venv-spark lock demo-data inspect build refresh docs summary report results serve venv-superset lock-superset dashboards superset browser db-servers run test test-spark lint bench clean

help:  ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

$(VENV)/.installed: requirements.txt pyproject.toml
	@echo "==> creating $(VENV) with $(PYTHON) and installing pinned dependencies (requirements.txt)"
	@test -n "$(PYTHON)" || { echo "Python 3.11+ not found: set PYTHON=/path/to/python3.11"; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)
	$(BIN)/uv pip install --python $(BIN)/python -r requirements.txt
	$(BIN)/uv pip install --python $(BIN)/python --no-deps -e .
	$(BIN)/python -m ecommerce_warehouse.install_paths_hook
	@touch $@

venv: $(VENV)/.installed  ## create .venv with the pinned dependencies

lock: venv  ## recompile requirements.txt (exact pins) from requirements.in
	$(BIN)/uv pip compile requirements.in -o requirements.txt --python-version 3.11

# The Spark extra (dbt-spark, pyspark) on top of .venv; its pins never change the main set's.
$(VENV)/.installed-spark: $(VENV)/.installed requirements-spark.txt
	@echo "==> installing the Spark extra (requirements-spark.txt) into $(VENV)"
	$(BIN)/uv pip install --python $(BIN)/python -r requirements.txt -r requirements-spark.txt
	@touch $@

venv-spark: $(VENV)/.installed-spark  ## add the Spark extra to .venv (dbt-spark, pyspark; Java 17+)

demo-data: venv  ## generate the demo shop's raw files (if absent)
	@if [ -f "$(RAW_DATA_PATH)/_truth/manifest.json" ]; then \
		echo "==> demo shop already in $(RAW_DATA_PATH) (delete it to regenerate)"; \
	else \
		echo "==> generating the demo shop ($(DEMO_CUSTOMERS) customers) into $(RAW_DATA_PATH)"; \
		$(BIN)/python -m ecommerce_warehouse.demo_shop --out "$(RAW_DATA_PATH)" \
			--customers $(DEMO_CUSTOMERS) --seed $(DEMO_SEED); \
	fi

# Recognises the exports in RAW_DATA_PATH and prints how to build them; for an unknown layout
# writes a starting mapping file (MAPPING_OUT, default ./<folder>_mapping.yml).
inspect: venv  ## look at the exports in RAW_DATA_PATH: layout, rows, dates, the build command
	$(BIN)/python -m ecommerce_warehouse.inspect "$(RAW_DATA_PATH)" $(if $(MAPPING_OUT),--mapping-out "$(MAPPING_OUT)")

# Builds (and documents) a copy of the warehouse and swaps it in only when every model and test
# passed, with the marts exported to Parquet (ecommerce_warehouse/publish.py): readers of the
# warehouse never block it nor see it half-built. DBT_ARGS: e.g. --select.
build: $(RAW_DATA)  ## dbt build + docs into a copy, then swap it in and export the marts to exports/
	$(BIN)/python -m ecommerce_warehouse.publish --docs $(SOURCE_ARGS) $(DBT_ARGS)

# The daily refresh: incremental validation and facts, SQL marts and tests; the Python models
# keep the results of the last `make build` (selectors.yml). Published like `make build`.
refresh: $(RAW_DATA)  ## daily refresh: dbt build --selector daily_refresh (no model retraining), published
	$(BIN)/python -m ecommerce_warehouse.publish --selector daily_refresh $(SOURCE_ARGS) $(DBT_ARGS)

# `make build` already does this on the copy it publishes; here on the warehouse itself (which
# dbt opens read-write, so no BI tool may hold it).
docs: venv  ## dbt docs generate, including the single-file static site
	@echo "==> dbt docs generate (static site: target/static_index.html)"
	$(BIN)/dbt docs generate --static $(SOURCE_ARGS)

summary: venv  ## print rows per mart and headline KPIs
	$(BIN)/python -m ecommerce_warehouse.summary

report: venv  ## static HTML report of the marts: reports/report.html (reads the warehouse read-only)
	$(BIN)/python -m ecommerce_warehouse.report

# Builds each source (the demo shop generated with DEMO_CUSTOMERS / DEMO_SEED; Online Retail, the
# marketing case study and CDNOW from SHARED_DATA_DIR, default ../shared/data, skipped when
# absent) in a temporary folder; takes several minutes.
results: venv  ## model-vs-baseline table per source (demo, Online Retail, marketing, CDNOW) into README.md
	$(BIN)/python -m ecommerce_warehouse.results --customers $(DEMO_CUSTOMERS) --seed $(DEMO_SEED)

# Reads the published warehouse read-only, a fresh connection per request (so builds never
# disturb it); API_HOST, API_PORT, WAREHOUSE_API_KEY: see ecommerce_warehouse/api.py.
serve: venv  ## the read-only HTTP API on http://127.0.0.1:8000 (docs: /docs)
	$(BIN)/python -m ecommerce_warehouse.api

# Superset, an optional extra with its own virtualenv and pins (requirements-superset.txt):
# `make run` never installs it. Its metadata, secret key and admin password: SUPERSET_HOME.
SUPERSET_VENV := .venv-superset
export SUPERSET_HOME ?= $(ROOT)/.superset
SUPERSET_PORT ?= 8088

$(SUPERSET_VENV)/.installed: requirements-superset.txt
	@echo "==> creating $(SUPERSET_VENV) and installing Superset (requirements-superset.txt)"
	test -x $(SUPERSET_VENV)/bin/python || $(PYTHON) -m venv $(SUPERSET_VENV)
	$(SUPERSET_VENV)/bin/python -m pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)
	$(SUPERSET_VENV)/bin/uv pip install --python $(SUPERSET_VENV)/bin/python -r requirements-superset.txt
	@touch $@

venv-superset: $(SUPERSET_VENV)/.installed  ## create .venv-superset (Apache Superset, duckdb-engine)

lock-superset: venv  ## recompile requirements-superset.txt from requirements-superset.in
	$(BIN)/uv pip compile requirements-superset.in -o requirements-superset.txt --python-version 3.11

dashboards: venv-superset  ## load the KPI, cohort and segment dashboards (superset/) into a local Superset
	$(SUPERSET_VENV)/bin/python superset/load_dashboards.py

superset: dashboards  ## serve the dashboards on http://127.0.0.1:8088 (SUPERSET_PORT), read-only
	SUPERSET_CONFIG_PATH=$(ROOT)/superset/superset_config.py FLASK_APP=superset \
		$(SUPERSET_VENV)/bin/superset run -h 127.0.0.1 -p $(SUPERSET_PORT) --with-threads

# The report test renders it in Debian's headless chromium; it skips, saying why, without one.
browser:  ## install Debian's chromium for the report test, if absent (apt-get)
	@command -v chromium >/dev/null || { echo "==> installing chromium (apt-get)"; \
		SUDO=$$([ "$$(id -u)" = 0 ] || echo "sudo -n"); \
		{ $$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq chromium; } \
		|| echo "==> could not install chromium: the report rendering test will skip"; }

# The shop-database tests start throw-away PostgreSQL and MariaDB servers from these Debian
# packages (tests/python/db_servers.py); without them those tests skip, saying why.
db-servers:  ## install Debian's PostgreSQL and MariaDB servers for the shop-database tests, if absent
	@{ ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 && command -v mariadb-install-db >/dev/null \
		&& command -v my_print_defaults >/dev/null; } || { echo "==> installing postgresql, mariadb (apt-get)"; \
		SUDO=$$([ "$$(id -u)" = 0 ] || echo "sudo -n"); \
		{ $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq \
			postgresql mariadb-server-core mariadb-client-core; } \
		|| echo "==> could not install the database servers: the shop-database tests will skip"; }

run: build summary report  ## set up, generate the demo shop, build the warehouse, its docs and the report

# Test files run in parallel, one worker per core (PYTEST_WORKERS=0 runs them in this process);
# a file's tests stay on one worker so its module-scoped warehouse is built once. The 25
# slowest tests are listed at the end (a module's warehouse build counts in its first test).
PYTEST_WORKERS ?= auto

# Java present: the Spark extra is installed and the Spark tests run with the rest; absent:
# they are skipped, and said so here and in pytest's summary.
test: venv browser db-servers  ## the whole suite: pytest (incl. dbt builds of small shops, the Spark build) and make lint
	@if command -v java >/dev/null; then $(MAKE) --no-print-directory venv-spark; \
	else echo "==> no java on PATH: the Spark tests will be skipped (install Java 17+ to run them)"; fi
	@$(MAKE) --no-print-directory venv-superset \
		|| echo "==> could not install Superset: the dashboard tests will be skipped"
	@echo "==> pytest ($(PYTEST_WORKERS) workers)"
	$(BIN)/pytest -n $(PYTEST_WORKERS) --dist loadfile --durations=25
	@$(MAKE) --no-print-directory lint

test-spark: venv-spark  ## the SQL layer on a local Spark, compared with DuckDB (needs Java 17+)
	@command -v java >/dev/null || { echo "make test-spark needs Java 17+ (java not on PATH)"; exit 1; }
	$(BIN)/pytest tests/python/test_spark.py

# Source adapters (staging and their own data-quality models) are disabled under the default
# source_system, so sqlfluff would skip them: each is linted again with its own source_system
# and a fixture of its raw files.
LINT_ADAPTERS := online_retail:tests/python/fixtures/online_retail/kaggle \
	marketing_insights:tests/python/fixtures/marketing_insights olist:tests/python/fixtures/olist \
	cdnow:tests/python/fixtures/cdnow mapped:tests/python/fixtures/shopify

# The Python code: ruff, then mypy on the package (settings: pyproject.toml's [tool.ruff] and
# [tool.mypy]); then the SQL.
RUFF_PATHS := ecommerce_warehouse python_models tests bench superset

lint: venv  ## ruff check of the Python code, mypy of the package, sqlfluff lint of every SQL model and analysis
	@echo "==> ruff check ($(RUFF_PATHS))"
	$(BIN)/ruff check $(RUFF_PATHS)
	@echo "==> mypy ecommerce_warehouse"
	$(BIN)/mypy ecommerce_warehouse
	@echo "==> sqlfluff lint (dbt templater, in-memory DuckDB)"
	DBT_DUCKDB_PATH=:memory: $(BIN)/sqlfluff lint --processes 2 models analyses
	@for pair in $(LINT_ADAPTERS); do \
		source=$${pair%%:*}; raw=$(ROOT)/$${pair#*:}; config=$$(mktemp); \
		printf '[sqlfluff:templater:dbt:context]\nsource_system = %s\nraw_data_path = %s\n' \
			"$$source" "$$raw" > "$$config"; \
		paths=models/staging/$$source; \
		if [ -d models/marts/data_quality/$$source ]; then \
			paths="$$paths models/marts/data_quality/$$source"; fi; \
		echo "==> sqlfluff lint $$paths (source_system=$$source)"; \
		DBT_DUCKDB_PATH=:memory: SOURCE_MAPPING=shopify \
			$(BIN)/sqlfluff lint --config "$$config" $$paths \
			|| { rm -f "$$config"; exit 1; }; \
		rm -f "$$config"; \
	done

# Scales in customers of the generated demo shops; e.g. `make bench BENCH_SCALES="10000 100000"`.
BENCH_SCALES ?= 10000 100000 1000000

bench: venv  ## time and peak memory of full builds and the daily refresh per scale: bench/RESULTS.md
	$(BIN)/python -m ecommerce_warehouse.bench --scales $(BENCH_SCALES)

clean:  ## remove build outputs (keeps .venv and data/)
	rm -rf target logs dbt_packages warehouse.duckdb warehouse.duckdb.wal exports spark-warehouse spark-metastore
