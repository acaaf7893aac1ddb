"""Python helpers for the ecommerce warehouse project (demo data generator)."""

# dbt runs Python models in parallel threads of one process, and each model's first line
# imports this package. narwhals (imported by scikit-learn and by statsmodels' formula
# library) has circular imports that deadlock when two threads import it at the same time
# (_DeadlockError on narwhals.stable.v1, seen with revenue_forecast next to
# clv_model_parameters). Importing it here, under this package's import lock, makes the
# first import happen once, in one thread.
try:
    import narwhals.stable.v1  # noqa: F401
except ImportError:  # not installed: nothing to race on
    pass
