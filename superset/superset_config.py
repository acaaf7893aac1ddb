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
# Only for a throw-away instance on the loopback (tests/python/test_superset.py): anonymous
# visitors get this role's permissions (synced by `superset init`), so that a headless browser
# can render a dashboard without logging in. Unset, visitors must log in.
if os.environ.get("SUPERSET_PUBLIC_ROLE_LIKE"):
    AUTH_ROLE_PUBLIC = "Public"
    PUBLIC_ROLE_LIKE = os.environ["SUPERSET_PUBLIC_ROLE_LIKE"]
