"""A 403 in the logs (issue 14, item 9): one warning line with the reason, never a traceback and
never twice — for a staff page and for an API call refused (core/log_filters.py, LOGGING)."""

from __future__ import annotations

import logging
import sys

import pytest
from django.conf import settings as django_settings
from django.utils.log import configure_logging

from clientpanel.accounts.services import api_token_create, staff_create

pytestmark = pytest.mark.django_db
PASSWORD = "correct-horse-battery"


@pytest.fixture
def reader(client):
    user = staff_create(email="reader@example.com", password=PASSWORD, roles=["Read-only"])
    client.force_login(user)
    return user


def test_a_staff_member_refused_a_page_leaves_one_warning_without_a_traceback(client, reader, caplog):
    with caplog.at_level(logging.INFO, logger="django"):
        response = client.get("/staff/settings/staff/")
    assert response.status_code == 403
    refusals = [r for r in caplog.records if r.name == "django.request"]
    assert len(refusals) == 1
    record = refusals[0]
    assert record.levelno == logging.WARNING and record.exc_info is None and not record.exc_text
    assert record.getMessage().startswith("Forbidden (Permission denied): /staff/settings/staff/")
    assert "Traceback" not in caplog.text


def test_a_token_refused_by_the_api_leaves_one_warning_line(client, reader, caplog):
    _, secret = api_token_create(user=reader)
    with caplog.at_level(logging.INFO, logger="django"):
        response = client.post("/api/v1/clients", data="{}", content_type="application/json",
                               headers={"Authorization": f"Bearer {secret}"})
    assert response.status_code == 403
    refusals = [r for r in caplog.records if r.name == "django.request"]
    assert len(refusals) == 1 and refusals[0].exc_info is None and "Traceback" not in caplog.text


def test_a_server_error_keeps_its_traceback(rf, caplog):
    from django.core.exceptions import PermissionDenied
    from django.utils.log import log_response

    request = rf.get("/staff/x/")
    try:
        raise RuntimeError("boom")
    except RuntimeError as error:
        with caplog.at_level(logging.INFO, logger="django"):
            log_response("Internal Server Error: %s", request.path, response=_Response(500), request=request,
                         exception=error)
    assert caplog.records[-1].exc_info is not None
    assert PermissionDenied  # the 403 path is the two tests above


class _Response:
    def __init__(self, status_code):
        self.status_code = status_code
        self._has_been_logged = False


@pytest.mark.parametrize("debug", [True, False])
def test_the_console_prints_a_refusal_once_in_production_and_under_make_dev(client, reader, settings, capsys, debug):
    """Django's own console handler (DEBUG) and ours used to print each warning twice."""
    settings.DEBUG = debug
    configure_logging(django_settings.LOGGING_CONFIG, django_settings.LOGGING)  # the streams are capsys's now
    try:
        capsys.readouterr()
        assert client.get("/staff/settings/staff/").status_code == 403
        printed = capsys.readouterr().err
    finally:
        captured, sys.stderr = sys.stderr, sys.__stderr__
        try:
            configure_logging(django_settings.LOGGING_CONFIG, django_settings.LOGGING)
        finally:
            sys.stderr = captured
    assert printed.count("Forbidden (Permission denied): /staff/settings/staff/") == 1, printed
    assert "Traceback" not in printed
