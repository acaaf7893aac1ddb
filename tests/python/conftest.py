"""Run the slowest test files first. `make test` spreads test files over the cores
(pytest-xdist `--dist loadfile`, in collection order): a slow file handed out last keeps one
core busy alone at the end. SLOWEST_FIRST lists the files whose fixtures build the biggest
warehouses (measured with `--durations`, 2026-12-08: test_spark 345 s, test_source_olist
230 s, ...); the other files follow in their usual order."""

SLOWEST_FIRST = [
    "test_spark.py",
    "test_source_olist.py",
    "test_source_online_retail.py",
    "test_superset.py",
    "test_clv_probabilistic.py",
    "test_source_marketing_insights.py",
    "test_api.py",
    "test_source_shop_database.py",
    "test_incremental.py",
    "test_predictions.py",
]


def pytest_collection_modifyitems(items):
    """Reorder the collected tests file by file, SLOWEST_FIRST first (stable otherwise)."""
    rank = {name: position for position, name in enumerate(SLOWEST_FIRST)}
    items.sort(key=lambda item: rank.get(item.path.name, len(rank)))
