"""Production: every secret from the environment; refuses to start without one. Behind a reverse
proxy that terminates TLS (docs/deploy.md): HTTPS only, HSTS, secure cookies, and static files
compressed and hashed by `collectstatic` (served by WhiteNoise)."""

import os

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import SECRET_KEY, STORAGES, env_bool
from .env import env_int

if not SECRET_KEY:
    raise ImproperlyConfigured("Set SECRET_KEY in the environment.")
if "change-me" in SECRET_KEY.lower():  # deploy/clientpanel.env.example's placeholder passed check --deploy
    raise ImproperlyConfigured("SECRET_KEY is still the example's placeholder: set a long random value "
                               "(python -c \"import secrets; print(secrets.token_urlsafe(64))\").")
# Without it the panel ran on a SQLite file under var/ — in a container, a database that goes with
# the container. A single-machine install on SQLite names its file (sqlite:////srv/clientpanel.sqlite3).
if not os.environ.get("DATABASE_URL"):
    raise ImproperlyConfigured("Set DATABASE_URL in the environment: postgres://user:password@host:5432/clientpanel "
                               "(or sqlite:////absolute/path/clientpanel.sqlite3 on one machine; docs/deploy.md).")
DEBUG = False
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_CONTENT_TYPE_NOSNIFF = True
# The proxy says which requests came over HTTPS; plain HTTP is redirected (SECURE_SSL_REDIRECT=false
# when the proxy redirects itself).
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 365 * 24 * 3600)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)  # only a header; submitting to the list is yours
STORAGES = STORAGES | {"staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"}}
WHITENOISE_USE_FINDERS = False
WHITENOISE_AUTOREFRESH = False
