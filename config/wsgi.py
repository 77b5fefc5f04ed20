import importlib
import os
import sys

from django.core.exceptions import ImproperlyConfigured
from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.prod")
try:
    importlib.import_module(os.environ["DJANGO_SETTINGS_MODULE"])
except ImproperlyConfigured as error:
    # A value the settings refuse, as its one line (gunicorn --check-config, which runs no hook of
    # config/gunicorn.conf.py, printed the traceback): exit status 3 is gunicorn's "worker failed to
    # boot", so a worker meeting it stops the server rather than being started again and again.
    print(f"ImproperlyConfigured: {error}", file=sys.stderr, flush=True)
    sys.exit(3)
application = get_wsgi_application()
