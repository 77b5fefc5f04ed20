"""Settings for the benchmarks in bench/ that time requests: the test suite's, but with connections
held as production holds them (psycopg's pool on PostgreSQL, base.py). The tests close every
connection at once on the shared server; a benchmark doing so would time a new connection and a
cold server backend with every request, which no deployment pays."""

from .base import DB_CONN_MAX_AGE, DB_POOL, DB_POOL_MAX_SIZE
from .test import *  # noqa: F403
from .test import DATABASES

if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and DB_POOL_MAX_SIZE > 0 \
        and DB_CONN_MAX_AGE == 0:
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = DB_POOL
