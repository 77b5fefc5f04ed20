"""A full Redis (maxmemory with the noeviction policy): it still reads and deletes but refuses every
write. A wrong password cannot be counted there, so it is refused with the 503 — and the right one
must be refused alike, before it is checked: answering it (302) while wrong ones get the 503 told an
attacker which guess was right, with nothing counted, without limit. So every password and code is
counted before it is checked (throttle.login_attempt, code_attempt, reauth_attempt) and forgiven
when right."""

import shutil
import socket
import subprocess
import time

import pytest
import redis
from django.urls import reverse

from clientpanel.accounts.services import staff_create
from clientpanel.accounts.tests.test_login_security import PASSWORD, code_after, with_2fa
from config.settings.env import redis_cache

pytestmark = pytest.mark.django_db

SIGN_IN_UNAVAILABLE = "Sign-in is unavailable for a moment. Please try again shortly."
ACTION_UNAVAILABLE = "This is unavailable for a moment. Please try again shortly."


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def full_redis_url(tmp_path_factory):
    """A redis-server of this test's own, filled up to its maxmemory: SET answers OOM, GET and DEL work."""
    server = shutil.which("redis-server")
    if server is None:
        pytest.skip("redis-server is not installed")
    port = _free_port()
    process = subprocess.Popen(
        [server, "--port", str(port), "--bind", "127.0.0.1", "--maxmemory", "3mb", "--maxmemory-policy",
         "noeviction", "--save", "", "--appendonly", "no", "--dir", str(tmp_path_factory.mktemp("redis"))],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        connection = redis.Redis(port=port, socket_connect_timeout=1)
        for _ in range(100):
            try:
                connection.ping()
                break
            except redis.ConnectionError:
                time.sleep(0.05)
        # Big values first, then ever smaller ones: a big command's own buffer, freed once refused,
        # left room for small keys (a throttle slot) after it.
        for size in (50_000, 1_000, 10):
            with pytest.raises(redis.exceptions.OutOfMemoryError):  # fill until it refuses
                for n in range(1_000_000):
                    connection.set(f"filler:{size}:{n}", b"x" * size)
        assert connection.get("filler:50000:0") is not None  # reads still work
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture
def full_cache(settings, full_redis_url):
    def switch():
        settings.CACHES = {"default": redis_cache(full_redis_url)}
    return switch


@pytest.fixture
def member(db):
    return staff_create(email="member@example.com", password=PASSWORD, roles=["Administrator"])


def _refused(response, message=SIGN_IN_UNAVAILABLE) -> None:
    assert response.status_code == 503, response.content.decode()[:300]
    assert message in response.content.decode()


def test_staff_login_answers_the_right_password_as_the_wrong_ones(client, member, full_cache):
    full_cache()
    _refused(client.post(reverse("backoffice:login"), {"username": member.email, "password": "guess"}))
    _refused(client.post(reverse("backoffice:login"), {"username": member.email, "password": PASSWORD}))
    assert "_auth_user_id" not in client.session


def test_portal_login_answers_the_right_password_as_the_wrong_ones(client, make_client, full_cache):
    owner = make_client(password=PASSWORD).owner
    full_cache()
    _refused(client.post(reverse("portal:login"), {"email": owner.email, "password": "guess"}))
    _refused(client.post(reverse("portal:login"), {"email": owner.email, "password": PASSWORD}))
    assert "_auth_user_id" not in client.session


def test_second_factor_answers_the_right_code_as_the_wrong_ones(client, member, full_cache):
    member = with_2fa(member)
    assert client.post(reverse("backoffice:login"), {"username": member.email, "password": PASSWORD}
                       ).status_code == 302  # the password step, on the working cache
    full_cache()
    _refused(client.post(reverse("backoffice:login-verify"), {"code": "000000"}))
    _refused(client.post(reverse("backoffice:login-verify"), {"code": code_after(member, 30)}))  # not spent yet
    assert "_auth_user_id" not in client.session


def test_present_password_check_answers_the_right_password_as_the_wrong_ones(client, member, full_cache):
    client.force_login(member)
    full_cache()
    new = "a-new-long-passphrase-7"
    for current in ("guess", PASSWORD):
        response = client.post(reverse("backoffice:account-password"),
                               {"current_password": current, "password": new, "password_again": new})
        _refused(response, ACTION_UNAVAILABLE)
    member.refresh_from_db()
    assert member.check_password(PASSWORD)


def test_right_passwords_give_their_count_back(client, member):
    """Counted before the check, a right password is forgiven at once — the address's count too,
    which a complete login never forgives (login_succeeded): an office signing in all day is not
    blocked by its own right passwords."""
    from clientpanel.accounts import throttle
    from clientpanel.accounts.reauth import present_password_require

    for _ in range(throttle.MAX_FAILURES_PER_ADDRESS + 1):
        response = client.post(reverse("backoffice:login"), {"username": member.email, "password": PASSWORD})
        assert response.status_code == 302
        client.logout()
    for _ in range(throttle.MAX_FAILURES + 1):
        present_password_require(member, PASSWORD, ip="203.0.113.5")
    assert not throttle.login_blocked(member.email, "127.0.0.1")
