"""The login throttle's Redis down or unreachable: every door that counts refuses with a 503 saying
to try again shortly — the right password too (fail closed: an uncounted door would let unlimited
guesses through) — logged once as an error naming the cause, never a 500 or a traceback."""

import logging
import socket
import time
import uuid

import pytest
import redis
from django.urls import reverse

from clientpanel.accounts.services import staff_create
from clientpanel.accounts.tests.test_login_security import PASSWORD, REDIS_URL, code_after, redis_or_skip, with_2fa
from config.settings.env import REDIS_CACHE_TIMEOUT, redis_cache

pytestmark = pytest.mark.django_db

SIGN_IN_UNAVAILABLE = "Sign-in is unavailable for a moment. Please try again shortly."


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]  # closed again when the block ends: nothing listens there


@pytest.fixture
def redis_down(settings):
    """The production cache settings (config.settings.env.redis_cache) on a port nothing listens on."""
    port = closed_port()

    def switch():
        settings.CACHES = {"default": redis_cache(f"redis://127.0.0.1:{port}/0")}
        return port

    return switch


@pytest.fixture
def member(db):
    return staff_create(email="member@example.com", password=PASSWORD, roles=["Administrator"])


def assert_unavailable(response, caplog, port: int) -> str:
    page = response.content.decode()
    assert response.status_code == 503, page[:500]
    assert SIGN_IN_UNAVAILABLE in page
    assert "Traceback" not in page and "ConnectionError" not in page
    assert response["Retry-After"] == "60"
    errors = [record for record in caplog.records if record.levelno >= logging.ERROR]
    assert len(errors) == 1, [record.getMessage() for record in errors]  # not django.request's line again
    assert errors[0].name == "clientpanel.accounts.throttle"
    assert str(port) in errors[0].getMessage()  # the cause: where Redis did not answer
    assert errors[0].exc_info is None
    return page


def test_staff_login_answers_503_and_lets_not_even_the_right_password_through(client, member, redis_down,
                                                                              caplog):
    port = redis_down()
    with caplog.at_level(logging.INFO):
        response = client.post(reverse("backoffice:login"), {"username": member.email, "password": PASSWORD})
    assert "Clientpanel" in assert_unavailable(response, caplog, port)
    assert "_auth_user_id" not in client.session
    assert client.get(reverse("backoffice:dashboard")).status_code == 302  # still signed out


def test_wrong_passwords_are_never_checked_while_the_count_cannot_be_kept(client, member, redis_down):
    redis_down()
    for _ in range(20):
        response = client.post(reverse("backoffice:login"), {"username": member.email, "password": "guess"})
        assert response.status_code == 503
        assert "Please enter a correct email" not in response.content.decode()


def test_staff_second_factor_step_answers_503(client, member, redis_down, caplog):
    member = with_2fa(member)
    response = client.post(reverse("backoffice:login"), {"username": member.email, "password": PASSWORD})
    assert response.status_code == 302  # the password step, on the working cache
    port = redis_down()
    with caplog.at_level(logging.INFO):
        response = client.post(reverse("backoffice:login-verify"), {"code": code_after(member, 0)})
    assert_unavailable(response, caplog, port)
    assert "_auth_user_id" not in client.session


def test_portal_login_and_its_code_step_answer_503(client, make_client, redis_down, caplog):
    owner = with_2fa(make_client(password=PASSWORD).owner)
    response = client.post(reverse("portal:login"), {"email": owner.email, "password": PASSWORD})
    assert response.status_code == 302
    port = redis_down()
    with caplog.at_level(logging.INFO):
        response = client.post(reverse("portal:login-code"), {"code": code_after(owner, 0)})
    assert "Client area" in assert_unavailable(response, caplog, port)
    caplog.clear()
    with caplog.at_level(logging.INFO):
        response = client.post(reverse("portal:login"), {"email": owner.email, "password": PASSWORD})
    assert_unavailable(response, caplog, port)


def test_password_reset_answers_503(client, make_client, redis_down, caplog, mailoutbox):
    owner = make_client(password=PASSWORD).owner
    mailoutbox.clear()
    port = redis_down()
    with caplog.at_level(logging.INFO):
        response = client.post(reverse("portal:password_reset"), {"email": owner.email})
    assert_unavailable(response, caplog, port)
    assert mailoutbox == []  # the tests run jobs inline: nothing was asked for


def test_changing_ones_password_answers_503_with_its_own_words(client, member, redis_down):
    client.force_login(member)
    redis_down()
    new = "a-new-long-passphrase-7"
    response = client.post(reverse("backoffice:account-password"),
                           {"current_password": PASSWORD, "password": new, "password_again": new})
    assert response.status_code == 503
    assert "This is unavailable for a moment. Please try again shortly." in response.content.decode()
    member.refresh_from_db()
    assert member.check_password(PASSWORD)


def test_a_redis_that_accepts_but_never_answers_is_given_up_on_quickly(client, member, settings):
    """A firewall or a hung server: without a timeout the worker waited until gunicorn killed it."""
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(16)  # connections complete in the kernel; nothing ever reads or answers
    settings.CACHES = {"default": redis_cache(f"redis://127.0.0.1:{silent.getsockname()[1]}/0")}
    try:
        started = time.monotonic()
        response = client.post(reverse("backoffice:login"), {"username": member.email, "password": PASSWORD})
        assert response.status_code == 503
        assert time.monotonic() - started < REDIS_CACHE_TIMEOUT * 3
    finally:
        silent.close()


@pytest.mark.django_db(transaction=True)
def test_with_redis_up_the_throttle_counts_there_and_logins_work(client, settings):
    redis_or_skip()
    prefix = f"throttle-up-{uuid.uuid4().hex}"
    settings.CACHES = {"default": redis_cache(REDIS_URL, key_prefix=prefix)}
    member = staff_create(email="member@example.com", password=PASSWORD, roles=["Administrator"])
    try:
        response = client.post(reverse("backoffice:login"), {"username": member.email, "password": "wrong"})
        assert response.status_code == 200 and "Please enter a correct email" in response.content.decode()
        assert list(redis.Redis.from_url(REDIS_URL).scan_iter(f"{prefix}:*"))  # counted in Redis
        response = client.post(reverse("backoffice:login"), {"username": member.email, "password": PASSWORD})
        assert response.status_code == 302
    finally:
        connection = redis.Redis.from_url(REDIS_URL)
        for key in connection.scan_iter(f"{prefix}:*"):
            connection.delete(key)

