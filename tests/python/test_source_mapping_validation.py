"""A bad mapping file stops `dbt build` before any model runs, with one line per problem naming
the mapping key, the file and the column (macros/source_mapping.sql, docs/source_mapping.md).
The raw files are the Shopify fixture's; the mappings are written here, each line's problem in
a comment."""

import pytest

from dbt_runner import REPO_ROOT, mapped_vars, run_dbt

FIXTURE = REPO_ROOT / "tests" / "python" / "fixtures" / "shopify"
EXPORT = FIXTURE / "orders_export_1.csv"
pytestmark = pytest.mark.dbt

STRUCTURE = """\
currency: USD
colour: blue                             # unknown key
entities:
  order_lines:
    files: "orders_export*.csv"
    columns:
      order_id: Name
      ordered_at: Created at
      customer_id: {hash: E-mail}        # no such column
      product_id: Lineitem sku
      product_id: Lineitem name          # a second mapping of product_id (line 11)
      quantity: Lineitem qty             # no such column
      unit_price: Lineitem price
      colour: Vendor                     # not a column of order_lines
  reviews:
    files: reviews.csv                   # no such file
"""

VALUES = """\
currency: USD
entities:
  order_lines:
    files: "orders_export*.csv"
    timestamp_formats: ["%d/%m/%Y %H:%M"]  # the file has 2024-01-05 10:15:00 -0500
    columns:
      order_id: Name
      ordered_at: Created at
      product_id: Lineitem sku
      quantity: Lineitem quantity
      unit_price: Lineitem price
      currency: Currency                 # #1003 is in EUR: no rate
  customers:
    table: shop.customers                # a table, but no SHOP_DATABASE_URL set
"""


@pytest.fixture(scope="module")
def build_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("never_built")


def failed_build(mapping_text, build_dir):
    mapping = build_dir / "mapping.yml"
    mapping.write_text(mapping_text)
    result = run_dbt(["build"], FIXTURE, build_dir, extra_vars=mapped_vars(mapping),
                     env={"SHOP_DATABASE_URL": ""})  # none, whatever the caller's environment
    output = result.stdout + result.stderr
    assert result.returncode != 0, "the build should have stopped"
    assert "Traceback" not in output
    # Stopped in on-run-start: no model (nor seed) started.
    assert " START " not in output, output[-3000:]
    return output


def test_structure_problems_are_named(build_dir):
    output = failed_build(STRUCTURE, build_dir)
    assert "colour: unknown key (known: currency, currency_rates, database, entities)" in output
    assert "entities.order_lines.columns.product_id: given twice (lines 10 and 11)" in output
    assert (f"entities.order_lines.columns.customer_id: column 'E-mail' is not in {EXPORT} "
            "(header has: Name, Email,") in output
    assert ("entities.order_lines.columns.quantity: column 'Lineitem qty' is not in "
            f"{EXPORT}") in output
    assert "entities.order_lines.columns.colour: not a column of order_lines" in output
    assert f"entities.reviews.files: no file matches {FIXTURE}/reviews.csv" in output


def test_value_problems_are_named(build_dir):
    output = failed_build(VALUES, build_dir)
    assert (f"entities.order_lines.columns.ordered_at: no value of Created at in {EXPORT} "
            "parses as timestamp with the formats ['%d/%m/%Y %H:%M']; "
            "e.g. '2024-01-05 10:15:00 -0500'") in output
    assert (f"entities.order_lines.columns.currency: 1 row(s) of {EXPORT} in EUR, which is not "
            "the shop currency USD and has no currency_rates entry") in output
    assert ("entities.customers.table: the shop database is not connected: set SHOP_DATABASE_URL "
            "(e.g. postgresql://USER@HOST:5432/DATABASE) and SHOP_DATABASE_PASSWORD") in output


def test_missing_mapping_file(build_dir):
    missing = build_dir / "no_such_mapping.yml"
    result = run_dbt(["build"], FIXTURE, build_dir, extra_vars=mapped_vars(missing))
    assert result.returncode != 0
    assert f"source_mapping: file not found: {missing}" in result.stdout
    assert " START " not in result.stdout
