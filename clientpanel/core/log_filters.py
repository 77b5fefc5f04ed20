"""Logging filters the settings' LOGGING names (config/settings/base.py).

A refusal is an expected outcome, not a fault: a staff member without the area or a token without
the scope gets a 403 page or answer, and the log keeps one warning line saying who was refused
what, never a traceback (Django's django.request logger attaches the PermissionDenied's traceback
to its "Forbidden (Permission denied)" warning)."""

from __future__ import annotations

import logging


class RefusalWithoutTraceback(logging.Filter):
    """On django.request: a 403's record keeps its line and the refusal's reason, without the
    exception's traceback. Errors (5xx) keep theirs."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "status_code", None) == 403 and record.exc_info:
            error = record.exc_info[1]
            reason = str(error) if error is not None else ""
            record.msg = record.getMessage() + (f" ({reason})" if reason else "")
            record.args = ()
            record.exc_info = None
            record.exc_text = None
        return True
