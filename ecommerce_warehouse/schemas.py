"""The warehouse's schemas (set in dbt_project.yml, macros/schemas.sql) and a connection that
finds every relation by its bare name."""

from __future__ import annotations

from pathlib import Path

import duckdb

# What BI tools read: the public marts, and the data-quality marts beside them.
MARTS = "marts"
DATA_QUALITY = "data_quality"
# Staging, intermediate models, seeds and the MetricFlow time spine: not for BI tools.
INTERNAL = "internal"
SCHEMAS = (MARTS, DATA_QUALITY, INTERNAL)


def search(con: duckdb.DuckDBPyConnection, schemas: tuple[str, ...]) -> None:
    """Let the connection find relations of those of the schemas that exist by bare name."""
    present = {name for (name,) in con.execute(
        "select schema_name from duckdb_schemas() where database_name = current_database()"
    ).fetchall()}
    names = [schema for schema in schemas if schema in present]
    if names:
        con.execute(f"set search_path = '{','.join(names)}'")


def aggregate_row(con: duckdb.DuckDBPyConnection, sql: str) -> tuple:
    """The row of an aggregate query without group by (count, max: one row, even over none)."""
    row = con.execute(sql).fetchone()
    assert row is not None      # such a query always returns exactly one row
    return row


def connect(path: Path | str, read_only: bool = True) -> duckdb.DuckDBPyConnection:
    """A connection to a built warehouse in which `fct_orders`, `quarantined_rows` or
    `int_order_lines_validated` need no schema (the search path holds all three)."""
    con = duckdb.connect(str(path), read_only=read_only)
    search(con, SCHEMAS)
    return con
