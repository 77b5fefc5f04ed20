"""Behind the documented reverse proxy every request reaches gunicorn from the proxy's address, so
the per-address throttles count each client by the X-Forwarded-For hop the trusted proxy appended
(core.actor.client_ip): twenty wrong passwords from one visitor no longer lock every visitor out of
the login, and a client's own X-Forwarded-For, sent straight to the server, is not believed."""

import pytest
from django.test import Client as Browser
from django.urls import reverse

from clientpanel.accounts import throttle
from clientpanel.audit.models import AuditEvent

from .conftest import PASSWORD

pytestmark = pytest.mark.django_db

PROXY = "127.0.0.1"  # nginx on the same machine (FORWARDED_ALLOW_IPS' default)


def _login(email, password, *, remote=PROXY, forwarded=""):
    headers = {"REMOTE_ADDR": remote} | ({"HTTP_X_FORWARDED_FOR": forwarded} if forwarded else {})
    return Browser(**headers).post(reverse("portal:login"), {"email": email, "password": password})


def test_one_visitors_wrong_passwords_do_not_lock_out_the_others(world):
    for n in range(throttle.MAX_FAILURES_PER_ADDRESS):
        _login(f"nobody{n}@example.com", "wrong-password", forwarded="203.0.113.7")
    # That visitor is stopped…
    blocked = _login(world["mine"].owner.email, PASSWORD, forwarded="203.0.113.7")
    assert "Too many failed attempts" in blocked.content.decode()
    # …and another one, through the same proxy, signs in.
    assert _login(world["mine"].owner.email, PASSWORD, forwarded="198.51.100.20").status_code == 302


def test_the_hop_the_proxy_appended_counts_not_what_the_client_wrote(world):
    for n in range(throttle.MAX_FAILURES_PER_ADDRESS):  # the visitor claims a new address each time
        _login(f"nobody{n}@example.com", "wrong-password", forwarded=f"192.0.2.{n}, 203.0.113.7")
    blocked = _login(world["mine"].owner.email, PASSWORD, forwarded="192.0.2.200, 203.0.113.7")
    assert "Too many failed attempts" in blocked.content.decode()


def test_a_client_reaching_the_server_directly_cannot_choose_its_address(world):
    for n in range(throttle.MAX_FAILURES_PER_ADDRESS):
        _login(f"nobody{n}@example.com", "wrong-password", remote="203.0.113.9", forwarded=f"192.0.2.{n}")
    blocked = _login(world["mine"].owner.email, PASSWORD, remote="203.0.113.9", forwarded="192.0.2.250")
    assert "Too many failed attempts" in blocked.content.decode()


def test_the_trail_records_the_visitors_address(world):
    browser = Browser(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="198.51.100.20")
    browser.post(reverse("portal:login"), {"email": world["mine"].owner.email, "password": PASSWORD})
    browser.post(reverse("portal:account"), {"action": "details", "firstname": "New", "lastname": "Name",
                                             "language": "en"})
    assert AuditEvent.objects.filter(action="user.account").latest("created_at").ip == "198.51.100.20"
