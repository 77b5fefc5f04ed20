"""gunicorn's settings, from the environment (docs/deploy.md). `make run` and production both use it:
gunicorn -c config/gunicorn.conf.py config.wsgi"""

import multiprocessing
import os
import re
import subprocess
import sys

from gunicorn.glogging import Logger


def _whole(name: str, default: int, minimum: int = 1) -> int:
    """A number from the environment; anything else stops the start naming the variable (gunicorn
    printed "Failed to read config file" and a ValueError's traceback)."""
    text = os.environ.get(name, "").strip()
    if not text:
        return default
    if not text.isdigit() or int(text) < minimum:
        raise SystemExit(f"{name}={text!r} is not a whole number of at least {minimum} (docs/deploy.md).")
    return int(text)


# Django's settings, loaded once in a process of their own before any worker starts: a value they
# refuse (ImproperlyConfigured: a currency, a language, PDF_FONT, CLIENTPANEL_BASE_URL, a number…)
# stops the start with its one line and a non-zero exit. Each worker printed the exception's
# traceback instead, then gunicorn its own "Worker failed to boot" one. In another process, so
# this one imports nothing of the application (a reload after an upgrade reads everything anew);
# any other failure is left to the workers to report, as before. `--check-config` loads the
# application itself, without this hook: config/wsgi.py says the same one line then.
_SETTINGS_CHECK = """
import importlib, os, sys
from django.core.exceptions import ImproperlyConfigured
try:
    importlib.import_module(os.environ.get("DJANGO_SETTINGS_MODULE", "config.settings.prod"))
except ImproperlyConfigured as error:
    print(f"ImproperlyConfigured: {error}", file=sys.stderr)
    sys.exit(3)
except Exception:
    pass
"""


def on_starting(server) -> None:
    """gunicorn's first hook, once its --env / -e / raw_env / GUNICORN_CMD_ARGS are known: checked
    while this file loads, before gunicorn applied them, the settings were read without them (a
    DJANGO_SETTINGS_MODULE given with -e was never the one checked, and a start it would fix was
    refused)."""
    try:
        checked = subprocess.run([sys.executable, "-c", _SETTINGS_CHECK],  # noqa: S603 — our own code, this Python
                                 env={**os.environ, **server.cfg.env}, capture_output=True, text=True, timeout=120)
    except subprocess.TimeoutExpired:
        return  # the workers will say what takes so long
    if checked.returncode == 3:
        if server.pidfile is not None:
            server.pidfile.unlink()
        raise SystemExit(checked.stderr.strip())


bind = os.environ.get("WEB_BIND", "127.0.0.1:8000")
# Threads share a worker's connection pool; workers × DB_POOL_MAX_SIZE bounds PostgreSQL connections.
workers = _whole("WEB_WORKERS", min(4, multiprocessing.cpu_count() * 2))
threads = _whole("WEB_THREADS", 4)
worker_class = "gthread" if threads > 1 else "sync"
timeout = _whole("WEB_TIMEOUT", 60)
graceful_timeout = 30
keepalive = 5
max_requests = _whole("WEB_MAX_REQUESTS", 5000, minimum=0)
max_requests_jitter = max_requests // 10
accesslog = os.environ.get("WEB_ACCESS_LOG", "-")

# The portal's one-time links carry their token in the path (portal/urls.py: password/set, password/
# reset, verify). Logged whole, anyone who reads the access log could use a link before its owner —
# the request line and the path, and the Referer of the page's own static files, which name it too.
_LINK_TOKEN = re.compile(r"(/portal/(?:password/(?:set|reset)|verify)/[^/\s?#]+/)[^/\s?#]+")


class AccessLogWithoutLinkTokens(Logger):
    """gunicorn's logger, with one-time link tokens replaced by "[token]" in whatever a log format
    may name (the request line, the path, headers, environ)."""

    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        for key, value in atoms.items():
            if isinstance(value, str) and "/portal/" in value:
                atoms[key] = _LINK_TOKEN.sub(r"\1[token]", value)
        return atoms


logger_class = AccessLogWithoutLinkTokens
errorlog = "-"
# Behind a proxy on the same machine the forwarded headers are trusted from loopback only.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")
# gunicorn 25+ opens a control socket at one path per user ($HOME/.gunicorn/gunicorn.ctl): a second
# instance of the same user (another `make run`, a test's server, a second site) took it over and the
# first one's exit removed it, so `gunicornc` reached the wrong server. Off unless a path is given.
control_socket_disable = not os.environ.get("WEB_CONTROL_SOCKET")
if not control_socket_disable:
    control_socket = os.environ["WEB_CONTROL_SOCKET"]
