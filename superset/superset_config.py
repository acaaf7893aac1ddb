"""Superset's configuration for the shipped dashboards (`make dashboards`): a local instance
whose metadata database and secret key live in SUPERSET_HOME (an ignored folder, by default
.superset/ in the repository), so nothing of it is committed."""

import os
from pathlib import Path

_home = Path(os.environ["SUPERSET_HOME"])
SECRET_KEY = (_home / "secret_key").read_text().strip()
SQLALCHEMY_DATABASE_URI = f"sqlite:///{_home / 'superset.db'}"
# A local, single-user instance: no Celery, no async queries, no thumbnails or alerts.
FEATURE_FLAGS = {"ALERT_REPORTS": False, "THUMBNAILS": False}
CACHE_CONFIG = {"CACHE_TYPE": "NullCache"}
DATA_CACHE_CONFIG = {"CACHE_TYPE": "NullCache"}
