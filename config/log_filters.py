"""A logging filter of Django's own records that config/settings/base.py's LOGGING names (the
project's others are in clientpanel/core/log_filters.py).

A request whose Host header is not in ALLOWED_HOSTS is answered 400, and Django logged it as an
ERROR on django.security.DisallowedHost with the exception's whole traceback — a dozen lines for
every scanner that tries the server's IP address, and a mail to the ADMINS each time. It is the
visitor's mistake, not the server's: one WARNING line saying which host was refused."""

from __future__ import annotations

import logging


class RefusedHostAsOneLine(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.exc_info = None
        record.exc_text = None
        record.stack_info = None
        if record.levelno > logging.WARNING:
            record.levelno, record.levelname = logging.WARNING, logging.getLevelName(logging.WARNING)
        return True
