"""The embedded default that `make run` serves with gunicorn: SQLite under var/ and a local
secret. DEBUG stays off unless asked for (`make dev` runs runserver with DEBUG=true and reload)."""

from .base import *  # noqa: F403
from .base import VAR_DIR

if not SECRET_KEY:  # noqa: F405
    # A per-checkout secret kept under var/, so sessions survive restarts without a committed key.
    secret_file = VAR_DIR / "secret_key"
    if not secret_file.exists():
        import secrets

        VAR_DIR.mkdir(exist_ok=True)
        secret_file.write_text(secrets.token_urlsafe(50))
    SECRET_KEY = secret_file.read_text().strip()

# The demo pays through the offline test gateway (no real money).
CLIENTPANEL_TEST_GATEWAY = env_bool("CLIENTPANEL_TEST_GATEWAY", True)  # noqa: F405

# A newcomer sees every e-mail the product sends as a file under var/mail (one per message).
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.filebased.EmailBackend")  # noqa: F405
