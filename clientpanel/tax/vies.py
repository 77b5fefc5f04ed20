"""The VIES adapter: asks the EU's VAT Information Exchange System whether a VAT number is valid.

Called only from jobs (never inside a request), with a timeout of a few seconds; any failure of
the service answers ERROR, which never gives reverse charge and never blocks billing (SPEC §6).
"""

from __future__ import annotations

import json
import logging
import urllib.error
import urllib.request

from django.conf import settings

VALID, INVALID, ERROR = "VALID", "INVALID", "ERROR"
log = logging.getLogger(__name__)


def check_vat(vat_number: str, *, url: str | None = None, timeout: float | None = None) -> str:
    """VALID or INVALID as VIES answers for a prefixed VAT number (PL5260250995), else ERROR."""
    return check_vat_with_reason(vat_number, url=url, timeout=timeout)[0]


# Why a check answered ERROR, kept with the client so staff see it (ui/labels.py VIES_ERRORS words
# them): the service unreachable or silent, an answer that is not VIES's, or VIES's own error code
# (MS_UNAVAILABLE, MS_MAX_CONCURRENT_REQ, TIMEOUT…).
UNREACHABLE, UNEXPECTED_ANSWER = "unreachable", "unexpected_answer"


def check_vat_with_reason(vat_number: str, *, url: str | None = None,
                          timeout: float | None = None) -> tuple[str, str]:
    """(status, reason): reason is empty unless the status is ERROR."""
    vat_number = (vat_number or "").replace(" ", "").upper()
    if len(vat_number) < 4 or not vat_number[:2].isalpha():
        return INVALID, ""
    body = json.dumps({"countryCode": vat_number[:2], "vatNumber": vat_number[2:]}).encode()
    request = urllib.request.Request(url or settings.VIES_URL, data=body, method="POST",  # noqa: S310 — https URL from settings
                                     headers={"Content-Type": "application/json", "Accept": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=timeout or settings.VIES_TIMEOUT) as response:  # noqa: S310
            answer = json.loads(response.read(65536) or b"{}")
    except (urllib.error.URLError, TimeoutError, OSError, ValueError) as error:
        log.warning("VIES check of %s failed: %s", vat_number[:2], error)
        return ERROR, UNEXPECTED_ANSWER if isinstance(error, ValueError) else UNREACHABLE
    # Anything but an object with a "valid" field (a proxy's [] or null) is a failure of the service.
    if not isinstance(answer, dict):
        return ERROR, UNEXPECTED_ANSWER
    if answer.get("actionSucceed") is False or "valid" not in answer:
        return ERROR, _error_code(answer) or UNEXPECTED_ANSWER
    return (VALID if answer["valid"] is True else INVALID), ""


def _error_code(answer: dict) -> str:
    """VIES's own error code ({"errorWrappers": [{"error": "MS_UNAVAILABLE", …}]}), bounded."""
    wrappers = answer.get("errorWrappers")
    if isinstance(wrappers, list) and wrappers and isinstance(wrappers[0], dict):
        code = str(wrappers[0].get("error") or "")
        return "".join(c for c in code.upper() if c.isalnum() or c == "_")[:50]
    return ""
