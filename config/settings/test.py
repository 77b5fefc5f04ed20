"""Settings for the test suite: the database comes from DATABASE_URL (SQLite file by default)."""

import atexit
import os
import shutil
import tempfile
from pathlib import Path

from .base import *  # noqa: F403
from .base import CACHE_TABLE, DATABASES

SECRET_KEY = os.environ.get("SECRET_KEY") or "test-only-secret-key-not-for-production"
DEBUG = False
ALLOWED_HOSTS = ["*"]
# Tests create many users; Argon2's production cost would dominate the run. One test checks that
# the production settings hash with Argon2.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# Documents' PDFs of a test run go to a directory of its own, removed when the run ends.
DOCUMENTS_ROOT = Path(tempfile.mkdtemp(prefix="clientpanel-test-documents-"))
atexit.register(shutil.rmtree, DOCUMENTS_ROOT, ignore_errors=True)
# So do client files (tests that look at the files on disk point MEDIA_ROOT at a tmp_path).
MEDIA_ROOT = Path(tempfile.mkdtemp(prefix="clientpanel-test-media-"))
atexit.register(shutil.rmtree, MEDIA_ROOT, ignore_errors=True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage",
                "OPTIONS": {"location": MEDIA_ROOT, "base_url": "/no-public-url/"}},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    "documents": {"BACKEND": "django.core.files.storage.FileSystemStorage",
                  "OPTIONS": {"location": DOCUMENTS_ROOT, "base_url": "/no-public-url/"}},
}
# Jobs run inline in tests, set explicitly (and on Huey's in-memory storage).
HUEY = {"huey_class": "huey.MemoryHuey", "name": "clientpanel-test", "immediate": True}
# Throttle counts in the database cache are rolled back with each test; a REDIS_URL in the environment
# must not point the tests' cache (and a test's cache.clear()) at a shared Redis.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": CACHE_TABLE}}
VIES_URL = "http://127.0.0.1:9/vies-not-configured-in-this-test"  # tests that call VIES start their own server
VIES_TIMEOUT = 2.0
PROVISIONING_TIMEOUT = 2.0
WEBHOOKS_TIMEOUT = 2.0
# The demo pays through the offline test gateway (no real money).
CLIENTPANEL_TEST_GATEWAY = env_bool("CLIENTPANEL_TEST_GATEWAY", True)  # noqa: F405

WEBHOOKS_ALLOW_PRIVATE = True  # the receivers of the tests listen on 127.0.0.1; one test refuses it

# The PostgreSQL server is shared: every test connection closes at once, no pool keeps any.
DATABASES["default"]["CONN_MAX_AGE"] = 0
DATABASES["default"].get("OPTIONS", {}).pop("pool", None)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # TEST_SQLITE_NAME lets two checkouts (or two people in one) run the suite side by side.
    DATABASES["default"]["TEST"] = {"NAME": os.environ.get("TEST_SQLITE_NAME") or str(VAR_DIR / "test.sqlite3")}  # noqa: F405

# Tests never reach for the Internet: NBP's API is a closed port here unless a test starts a fake.
CLIENTPANEL_NBP_API_URL = "http://127.0.0.1:9/api"
