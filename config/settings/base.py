"""Settings shared by every environment; each value a deployment may change comes from the environment."""

import os
from pathlib import Path

from .add_funds import portal_add_funds_defaults
from .env import (
    database,
    env_bool,
    env_choice,
    env_country,
    env_currencies,
    env_file,
    env_float,
    env_int,
    env_languages,
    env_list,
    env_url,
    redis_cache,
)

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = BASE_DIR / "var"
VAR_DIR.mkdir(exist_ok=True)  # the SQLite default, test database and local secret live here


SECRET_KEY = os.environ.get("SECRET_KEY", "")
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"])
# Proxies whose X-Forwarded-For names the client (core.actor.client_ip): gunicorn's setting, one list.
CLIENTPANEL_TRUSTED_PROXIES = env_list("FORWARDED_ALLOW_IPS", ["127.0.0.1", "::1"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "clientpanel.backoffice.admin_apps.StaffSessionAdminConfig",  # Django's admin, behind the staff login
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "bootstrap",
    "ninja",
    "huey.contrib.djhuey",
    "csp",
    "clientpanel.core",
    "clientpanel.audit",
    "clientpanel.accounts",
    "clientpanel.clients",
    "clientpanel.tax",
    "clientpanel.ledger",
    "clientpanel.invoicing",
    "clientpanel.catalog",
    "clientpanel.client_services",
    "clientpanel.files",
    "clientpanel.payments",
    "clientpanel.einvoices",
    "clientpanel.notifications",
    "clientpanel.webhooks",
    "clientpanel.automation",
    "clientpanel.reports",
    "clientpanel.privacy",
    "clientpanel.api",
    "clientpanel.ui",
    "clientpanel.backoffice",
    "clientpanel.portal",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "clientpanel.ui.form_text.Utf8FormMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "clientpanel.backoffice.middleware.StaffLanguageMiddleware",
    "clientpanel.backoffice.middleware.StaffSessionIdleMiddleware",
    "clientpanel.backoffice.middleware.StaffPagesNoStoreMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "clientpanel.accounts.actors.ActorMiddleware",
    # Redis down (the login throttle's cache, Huey's queue): 503 "try again shortly", never a 500.
    "config.middleware.RedisUnavailableMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "clientpanel.backoffice.context_processors.quick_create",
            ],
        },
    },
]

# Connections are bounded. By default each request opens one and closes it (CONN_MAX_AGE 0); on
# PostgreSQL a pool per process (psycopg's, DB_POOL_MAX_SIZE connections, 0 turns it off) lends
# them out, so N gunicorn workers × pool size is the most a deployment holds. DB_CONN_MAX_AGE > 0
# keeps one connection per thread instead (health-checked), without the pool.
DB_CONN_MAX_AGE = env_int("DB_CONN_MAX_AGE", 0)
DATABASES = {
    "default": database(
        f"sqlite:///{VAR_DIR / 'clientpanel.sqlite3'}",
        conn_max_age=DB_CONN_MAX_AGE, conn_health_checks=DB_CONN_MAX_AGE > 0,
    )
}
# CSV exports stream rows through a server-side cursor; a transaction-mode pooler (PgBouncer) needs
# them off (Django then reads the export's rows in chunks without one).
DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = env_bool("DB_DISABLE_SERVER_SIDE_CURSORS", False)
# The unpaid-documents index INCLUDEs its columns for PostgreSQL's index-only scans; SQLite (the
# embedded default) ignores them, and every `migrate` of `make run` said so as a WARNING a newcomer
# could not act on. PostgreSQL never raises it.
SILENCED_SYSTEM_CHECKS = ["models.W040"]
DB_POOL_MAX_SIZE = env_int("DB_POOL_MAX_SIZE", 4)
DB_POOL = {"min_size": 0, "max_size": DB_POOL_MAX_SIZE, "timeout": env_float("DB_POOL_TIMEOUT", 10),
           "max_idle": 300}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and DB_POOL_MAX_SIZE > 0 \
        and DB_CONN_MAX_AGE == 0:
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = DB_POOL
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the web server read while a writer commits; the busy timeout makes a second
    # writer wait for the lock instead of failing at once.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["clientpanel.accounts.backends.EmailBackend"]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "backoffice:login"
LOGIN_REDIRECT_URL = "backoffice:dashboard"

LANGUAGE_CODE = "en"
# The staff panel and documents' PDFs speak these (locale/<code>/LC_MESSAGES/django.po, compiled to
# django.mo and committed; `make messages` refreshes both). A staff member's choice is kept on the
# user (User.language); LocaleMiddleware picks the language of anyone else from the browser.
LANGUAGES = [("en", "English"), ("pl", "Polski")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)  # WhiteNoise looks there first (empty until collectstatic)
# WhiteNoise serves static files from the app server (gunicorn or runserver, DEBUG on or off).
# Outside config.settings.prod it reads them where the packages ship them, so nothing needs
# collectstatic; prod serves the compressed, hashed copies `collectstatic` writes to STATIC_ROOT.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG
# Content-Security-Policy: scripts only from our own static files (no inline script, no eval);
# styles may be inline (Bootstrap utilities, htmx's indicator style); nothing may frame the panel.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
# Issued documents' PDFs, stored once at issue (SPEC §7); private: never under a served URL. Any
# Django storage backend may stand in for "documents" (django-storages for S3, say).
DOCUMENTS_ROOT = Path(os.environ.get("DOCUMENTS_ROOT") or VAR_DIR / "documents")
# Files staff keep for clients (clientpanel/files): private as well, under names of our own, handed
# out only by permission-checked views. The "default" storage may be S3 through django-storages
# instead (docs/deploy.md). Uploads larger than CLIENTPANEL_FILE_MAX_BYTES are refused.
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT") or VAR_DIR / "media")
CLIENTPANEL_FILE_MAX_BYTES = env_int("CLIENTPANEL_FILE_MAX_BYTES", 20 * 1024 * 1024)
# CSV imports of clients (issue 13): the largest file taken, and how many days an import's files
# (the upload until it is committed, the CSV of rejected rows) are kept in the default storage.
CLIENTPANEL_IMPORT_MAX_BYTES = env_int("CLIENTPANEL_IMPORT_MAX_BYTES", 100 * 1024 * 1024)
CLIENTPANEL_IMPORT_KEEP_DAYS = env_int("CLIENTPANEL_IMPORT_KEEP_DAYS", 7)
# How old the dashboard's figures over every client may get before an automation pass adds them up again.
CLIENTPANEL_DASHBOARD_REFRESH_MINUTES = env_int("CLIENTPANEL_DASHBOARD_REFRESH_MINUTES", 5)
# The offline test gateway (issue 15) settles proformas without money: off unless a server asks for it
# (the embedded `make run` default and the tests do).
CLIENTPANEL_TEST_GATEWAY = env_bool("CLIENTPANEL_TEST_GATEWAY", False)
# KSeF's address instead of the one of the company's chosen environment: only a KSeF emulator on
# this machine (http://127.0.0.1:…), for tests and trials; empty in production.
CLIENTPANEL_KSEF_BASE_URL = os.environ.get("CLIENTPANEL_KSEF_BASE_URL", "")
# NBP's public API for the tax exchange rates (table A); the fetch_nbp_rates job asks it only when
# CLIENTPANEL_NBP_FETCH is on (a server that reaches the Internet). Staff may press "Fetch from NBP".
CLIENTPANEL_NBP_API_URL = os.environ.get("CLIENTPANEL_NBP_API_URL", "https://api.nbp.pl/api")
CLIENTPANEL_NBP_FETCH = env_bool("CLIENTPANEL_NBP_FETCH", False)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage",
                "OPTIONS": {"location": MEDIA_ROOT, "base_url": "/no-public-url/",
                            "file_permissions_mode": 0o640, "directory_permissions_mode": 0o750}},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    "documents": {"BACKEND": "django.core.files.storage.FileSystemStorage",
                  "OPTIONS": {"location": DOCUMENTS_ROOT, "base_url": "/no-public-url/"}},
}

SESSION_COOKIE_HTTPONLY = True
# A staff session ends after a working day without a request (backoffice/middleware.py).
STAFF_SESSION_IDLE_MINUTES = env_int("STAFF_SESSION_IDLE_MINUTES", 8 * 60)
# Sudo mode (accounts/sudo.py): how long a proved password lets a staff member do the most dangerous actions.
STAFF_SUDO_MINUTES = env_int("STAFF_SUDO_MINUTES", 15)
CSRF_COOKIE_HTTPONLY = False  # htmx reads the token from the cookie-less meta tag; kept default
X_FRAME_OPTIONS = "DENY"

# --- Jobs (Huey) -------------------------------------------------------------------------------
# Embedded default: SQLite storage under var/ and one consumer beside the web server (`make run`);
# with REDIS_URL, Redis storage shared by any number of consumers. Immediate mode (jobs run inline,
# for tests) is set explicitly, never derived from DEBUG.
REDIS_URL = os.environ.get("REDIS_URL", "")
HUEY = {
    "name": "clientpanel",
    "immediate": env_bool("HUEY_IMMEDIATE", False),
    # Nobody reads a task's return value (jobs record their runs themselves): stored, it piled up in
    # Redis or huey.sqlite3 for ever, one per e-mail batch and order.
    "results": False,
    "consumer": {"workers": env_int("HUEY_WORKERS", 2), "worker_type": "thread"},
}
if REDIS_URL:
    HUEY |= {"huey_class": "huey.RedisHuey", "connection": {"url": REDIS_URL}}
else:
    HUEY |= {"huey_class": "huey.SqliteHuey", "filename": str(VAR_DIR / "huey.sqlite3")}

# --- Cache: the login and 2FA throttle counts ----------------------------------------------------
# Shared by every web process (4 workers must not allow 4 times the guesses) and kept across
# restarts: Redis when REDIS_URL is set, else Django's database cache in a table that `migrate`
# makes (core/migrations/0004_cache_table.py). Never per-process memory.
CACHE_TABLE = "clientpanel_cache"
# Redis down or unreachable: the throttle refuses sign-ins with a 503 until it answers again.
if REDIS_URL:
    CACHES = {"default": redis_cache(REDIS_URL)}
else:
    # Culling (deleting a third of the rows past MAX_ENTRIES) would forget counts; set it far away.
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": CACHE_TABLE,
                          "OPTIONS": {"MAX_ENTRIES": 1_000_000}}}

# Provisioning modules run with this timeout (seconds); unpaid proformas overdue this many days
# are cancelled by automation.
PROVISIONING_TIMEOUT = env_float("PROVISIONING_TIMEOUT", 30)
STALE_PROFORMA_DAYS = env_int("STALE_PROFORMA_DAYS", 30)

# VIES (EU VAT validation), called only from jobs, with a short timeout (SPEC §6).
VIES_URL = os.environ.get("VIES_URL", "https://ec.europa.eu/taxation_customs/vies/rest-api/check-vat-number")
VIES_TIMEOUT = env_float("VIES_TIMEOUT", 5)

# --- Webhooks (Settings → Webhooks) -----------------------------------------------------------------
# Seconds a receiver has to answer. Private, loopback and link-local addresses are refused unless
# WEBHOOKS_ALLOW_PRIVATE=true (a receiver on your own network): an endpoint must not be a way to
# make the server call its internal services.
WEBHOOKS_TIMEOUT = env_float("WEBHOOKS_TIMEOUT", 10)
WEBHOOKS_ALLOW_PRIVATE = env_bool("WEBHOOKS_ALLOW_PRIVATE", False)

# --- Clientpanel -----------------------------------------------------------------------------
# Enabled lists: a client's currency and language must come from these. After migrations alone
# they hold the defaults below; deployments change them through the environment.
# A code that is not one, or a language without translations, stops the start naming the variable.
CLIENTPANEL_CURRENCIES = env_currencies("CLIENTPANEL_CURRENCIES", ["USD", "EUR", "PLN", "GBP", "CAD"])
CLIENTPANEL_LANGUAGES = env_languages("CLIENTPANEL_LANGUAGES", ["en", "pl"], [code for code, _ in LANGUAGES])
# New clients' currency, language and country: the first two from the enabled lists above.
CLIENTPANEL_DEFAULT_CURRENCY = env_choice("CLIENTPANEL_DEFAULT_CURRENCY", "USD", CLIENTPANEL_CURRENCIES,
                                          "CLIENTPANEL_CURRENCIES")
CLIENTPANEL_DEFAULT_LANGUAGE = env_choice("CLIENTPANEL_DEFAULT_LANGUAGE", "en", CLIENTPANEL_LANGUAGES,
                                          "CLIENTPANEL_LANGUAGES")
CLIENTPANEL_DEFAULT_COUNTRY = env_country("CLIENTPANEL_DEFAULT_COUNTRY", "US")
# System defaults of the settings clients inherit (client → group → home company → these).
CLIENTPANEL_SETTING_DEFAULTS = {"payment_terms_days": 7, "tax_exempt": False, "reminders_enabled": True}
# Documents' PDFs: a TrueType font with the letters of every client language (DejaVu by default)
# and whether PDFs made from the staff panel use the client's language (Perfex's setting).
PDF_FONT = env_file("PDF_FONT")  # a path that is no readable file stops the start
PDF_IN_CLIENT_LANGUAGE = env_bool("PDF_IN_CLIENT_LANGUAGE", True)
CLIENTPANEL_CLIENT_NUMBER_PATTERN = os.environ.get("CLIENTPANEL_CLIENT_NUMBER_PATTERN", "{NUMBER:4}")
# "Send welcome e-mail" ticked on + Create and Quick Create unless staff untick it (Perfex's default).
CLIENTPANEL_WELCOME_EMAIL_DEFAULT = env_bool("CLIENTPANEL_WELCOME_EMAIL_DEFAULT", True)
# Warn a client when its balance and credit limit will not cover this many days of its services' charges.
CLIENTPANEL_LOW_BALANCE_DAYS = env_int("CLIENTPANEL_LOW_BALANCE_DAYS", 7)
# Add Funds in the portal (SPEC §7): the smallest and largest net amount of one proforma, and the balance
# it may not take a client above (empty: no such limit). Staff may issue any amount. These are the
# defaults, taken as they stand in every currency without figures of its own, which staff with Settings
# set under Settings → Add Funds limits (invoicing.AddFundsLimit). A bad figure stops the start.
CLIENTPANEL_PORTAL_ADD_FUNDS = {
    **portal_add_funds_defaults(),
    # Unpaid Add Funds proformas a client may hold at once: each is a numbered document and an
    # e-mail, so the portal does not issue them without end.
    "unpaid_at_once": env_int("CLIENTPANEL_PORTAL_ADD_FUNDS_UNPAID", 5),
}
# Portal self-registration (issue 12): off unless switched on; a sign-up creates a NEW client whose
# owner confirms its address before logging in.
CLIENTPANEL_PORTAL_SIGNUP = env_bool("CLIENTPANEL_PORTAL_SIGNUP", False)
# The portal's Users page (a client's users with Manage Users invite, edit and remove its users).
CLIENTPANEL_PORTAL_MANAGE_USERS = env_bool("CLIENTPANEL_PORTAL_MANAGE_USERS", True)
# The public address, for links in e-mails sent by jobs that have no request to ask.
CLIENTPANEL_BASE_URL = env_url("CLIENTPANEL_BASE_URL", "http://127.0.0.1:8000")  # http(s)://host, else no start

# --- E-mail (issue 11): Django's backends, configured from the environment ---------------------
# Production: EMAIL_BACKEND=django.core.mail.backends.smtp.EmailBackend with EMAIL_HOST and friends,
# or a provider through django-anymail (docs/deploy.md). `make run` writes mails to files under var/mail.
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = env_float("EMAIL_TIMEOUT", 20)  # never wait for ever on a silent server
EMAIL_FILE_PATH = os.environ.get("EMAIL_FILE_PATH", str(VAR_DIR / "mail"))
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Clientpanel <noreply@localhost>")
SERVER_EMAIL = os.environ.get("SERVER_EMAIL", DEFAULT_FROM_EMAIL)
# Links sent by e-mail carry their own, shorter lifetimes (accounts/links.py); this is the longest.
PASSWORD_RESET_TIMEOUT = 7 * 24 * 3600

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "require_debug_false": {"()": "django.utils.log.RequireDebugFalse"},
        "refusal_without_traceback": {"()": "clientpanel.core.log_filters.RefusalWithoutTraceback"},
        "refused_host_as_one_line": {"()": "config.log_filters.RefusedHostAsOneLine"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler"},
        "mail_admins": {"level": "ERROR", "filters": ["require_debug_false"],
                        "class": "django.utils.log.AdminEmailHandler"},
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
    "loggers": {
        # Django's own "django" logger prints to its console handler under DEBUG and passes the
        # record on to ours as well: every warning and traceback twice. Its records reach the
        # console through the root alone; errors still mail the ADMINS, as Django's default does.
        "django": {"handlers": ["mail_admins"], "level": "INFO"},
        # A 403 is an expected outcome: one line with the reason, no traceback (core/log_filters.py).
        "django.request": {"filters": ["refusal_without_traceback"]},
        # A Host header not in ALLOWED_HOSTS: still a 400, logged as one warning line (config/log_filters.py).
        "django.security.DisallowedHost": {"filters": ["refused_host_as_one_line"]},
        # `run_huey` gives the "huey" logger a handler of its own; passed on to the root as well, every
        # line of a consumer's log came out twice.
        "huey": {"propagate": False},
    },
}
