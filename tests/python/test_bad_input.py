"""A malformed raw file stops the build with one clear message naming the file and column;
malformed values inside a well-formed file are quarantined (see test_tiny_shop.py)."""

import shutil

import pytest

from dbt_runner import REPO_ROOT, run_dbt

TINY_SHOP = REPO_ROOT / "tests" / "python" / "fixtures" / "tiny_shop"
pytestmark = pytest.mark.dbt


@pytest.fixture(scope="module")
def build_dir(tmp_path_factory):
    # One warehouse path for every case: a new profile would cost dbt a full re-parse.
    return tmp_path_factory.mktemp("never_built")


@pytest.fixture
def shop(tmp_path):
    raw = tmp_path / "raw"
    shutil.copytree(TINY_SHOP, raw)
    return raw


def build_output(shop, build_dir):
    result = run_dbt(["build"], shop, build_dir)
    assert result.returncode != 0, "the build should have stopped"
    output = result.stdout + result.stderr
    assert "Traceback" not in output
    return output


def rewrite_header(path, old, new):
    lines = path.read_text(encoding="utf-8-sig").splitlines(keepends=True)
    lines[0] = lines[0].replace(old, new)
    path.write_text("".join(lines), encoding="utf-8")


def test_missing_column(shop, build_dir):
    path = shop / "order_lines.csv"
    kept = [",".join(line.split(",")[:6] + line.split(",")[7:])  # drop unit_price
            for line in path.read_text(encoding="utf-8-sig").splitlines(keepends=True)]
    path.write_text("".join(kept), encoding="utf-8")
    output = build_output(shop, build_dir)
    assert f"{path}: missing column(s) unit_price" in output


def test_wrong_header(shop, build_dir):
    rewrite_header(shop / "customers.csv", "signup_date", "SignupDate")
    output = build_output(shop, build_dir)
    assert f"{shop / 'customers.csv'}: missing column(s) signup_date" in output
    assert "header has: customer_id, SignupDate, gender, country, city" in output


def test_empty_file(shop, build_dir):
    (shop / "products.csv").write_text("")
    output = build_output(shop, build_dir)
    assert f"{shop / 'products.csv'} is empty" in output


def test_every_problem_is_reported_at_once(shop, build_dir):
    (shop / "reviews.csv").unlink()
    (shop / "products.csv").write_text("")
    output = build_output(shop, build_dir)
    assert f"file not found: {shop / 'reviews.csv'}" in output
    assert f"{shop / 'products.csv'} is empty" in output
    assert "make demo-data" in output
