"""Issue 9: one login throttle shared by every process, and the limits of the second factor."""

import os
import subprocess
import sys
import threading
import time
import uuid

import pyotp
import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.urls import reverse

from clientpanel.accounts import throttle
from clientpanel.accounts.login import LoginRefused, staff_password_check
from clientpanel.accounts.models import User
from clientpanel.accounts.services import staff_create
from clientpanel.accounts.two_factor import TooManyCodes, totp_begin, totp_confirm, totp_verify

PASSWORD = "correct-horse-battery"
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/13")

# Runs in another OS process against the same database (and, when asked, the same Redis), driving
# the login page as a browser would: argv = "password" or "code", the email, how many attempts.
CHILD = """
import importlib, os, sys
settings_module = importlib.import_module("config.settings.test")
if os.environ.get("THROTTLE_REDIS_URL"):
    settings_module.CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": os.environ["THROTTLE_REDIS_URL"], "KEY_PREFIX": os.environ["THROTTLE_KEY_PREFIX"]}}
import django
django.setup()
from django.test import Client
what, email, times = sys.argv[1], sys.argv[2], int(sys.argv[3])
for _ in range(times):
    browser = Client()
    if what == "password":
        page = browser.post("/staff/login/", {"username": email, "password": "wrong-password"})
        assert page.status_code == 200, page.status_code
    else:
        page = browser.post("/staff/login/", {"username": email, "password": os.environ["THROTTLE_PASSWORD"]})
        assert page.status_code == 302, page.content
        page = browser.post("/staff/login/verify/", {"code": "000000"})
        assert "does not match" in page.content.decode(), page.content
"""


def _database_url() -> str:
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    auth = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def run_in_another_process(what: str, email: str, times: int, **env) -> None:
    """A separate Python process: its own interpreter, cache client and database connection."""
    child_env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test", "DATABASE_URL": _database_url(),
                 "THROTTLE_PASSWORD": PASSWORD, **env}
    done = subprocess.run([sys.executable, "-c", CHILD, what, email, str(times)], cwd=settings.BASE_DIR,
                          env=child_env, timeout=120, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-3000:]


def login_page(client, email: str, password: str = PASSWORD) -> str:
    response = client.post(reverse("backoffice:login"), {"username": email, "password": password})
    return "" if response.status_code == 302 else response.content.decode()


def code_page(client, code: str) -> str:
    response = client.post(reverse("backoffice:login-verify"), {"code": code})
    return "" if response.status_code == 302 else response.content.decode()


def refused_login(email: str, password: str = PASSWORD) -> str | None:
    try:
        staff_password_check(request=None, email=email, password=password)
    except LoginRefused as refused:
        return refused.code
    return None


@pytest.fixture
def fresh_cache(transactional_db):
    """Tests whose rows are committed (other processes must see them) leave counts in the cache
    table, which a test database flush does not empty."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def member(db):
    return staff_create(email="member@example.com", password=PASSWORD, roles=["Administrator"])


def with_2fa(user: User) -> User:
    """2FA turned on with the current code, which is then spent (user.enrolment_code)."""
    totp_begin(user=user)
    code = pyotp.TOTP(user.totp_secret).now()
    totp_confirm(user=user, code=code, password=PASSWORD)
    user.refresh_from_db()
    user.enrolment_code = code
    return user


def code_after(user: User, seconds: int) -> str:
    return pyotp.TOTP(user.totp_secret).at(time.time() + seconds)


# --- the password throttle ---------------------------------------------------------------------

def test_wrong_passwords_unknown_emails_and_client_users_count_alike(member, make_client):
    owner = make_client(password="a-long-passphrase-42").owner
    for email, password in ((member.email, "wrong"), ("ghost@example.com", PASSWORD),
                            (owner.email, "a-long-passphrase-42")):
        for _ in range(throttle.MAX_FAILURES):
            assert refused_login(email, password) == "invalid_login"
        assert refused_login(email, password) == "throttled"
    assert refused_login(member.email) == "throttled"  # the right password is refused too now


@pytest.mark.django_db(transaction=True)
def test_password_throttle_is_shared_by_processes_on_the_database_cache(client, fresh_cache):
    staff_create(email="member@example.com", password=PASSWORD, roles=["Administrator"])
    run_in_another_process("password", "member@example.com", 3)
    run_in_another_process("password", "member@example.com", 2)
    # 5 failures in two other processes, both gone now (a restart forgets nothing): this one is refused.
    assert "Too many failed attempts" in login_page(client, "member@example.com")


def redis_or_skip() -> None:
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
    except redis.RedisError as error:
        if os.environ.get("CI") == "true":
            pytest.fail(f"Redis at {REDIS_URL} is not reachable: {error}")
        pytest.skip(f"Redis at {REDIS_URL} is not reachable")


@pytest.mark.django_db(transaction=True)
def test_password_and_code_throttles_are_shared_by_processes_on_redis(client, fresh_cache, settings):
    redis_or_skip()
    prefix = f"throttle-test-{uuid.uuid4().hex}"
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL,
                                   "KEY_PREFIX": prefix}}
    member = with_2fa(staff_create(email="member@example.com", password=PASSWORD, roles=["Administrator"]))
    other = staff_create(email="other@example.com", password=PASSWORD, roles=["Administrator"])
    redis_env = {"THROTTLE_REDIS_URL": REDIS_URL, "THROTTLE_KEY_PREFIX": prefix}
    run_in_another_process("code", member.email, 2, **redis_env)
    run_in_another_process("code", member.email, 3, **redis_env)
    assert login_page(client, member.email) == ""  # the password is right…
    assert "Too many wrong codes" in code_page(client, code_after(member, 30))  # …but 5 codes were wrong
    run_in_another_process("password", other.email, 3, **redis_env)
    run_in_another_process("password", other.email, 2, **redis_env)
    assert "Too many failed attempts" in login_page(client, other.email)


def test_every_door_calling_authenticate_shares_the_throttle(member):
    """Any door calling authenticate() goes through the same counts (the backend keeps them)."""
    from django.contrib.auth import authenticate

    for _ in range(throttle.MAX_FAILURES):
        assert authenticate(None, email=member.email, password="wrong") is None
    assert authenticate(None, email=member.email, password=PASSWORD) is None
    assert refused_login(member.email) == "throttled"


def test_one_address_gets_more_room_than_one_account(member):
    ip = "203.0.113.7"
    for n in range(throttle.MAX_FAILURES_PER_ADDRESS):
        assert not throttle.login_blocked(f"guess{n}@example.com", ip)
        throttle.login_failed(f"guess{n}@example.com", ip)
    assert throttle.login_blocked(member.email, ip) and not throttle.login_blocked(member.email, "203.0.113.8")


# --- the second factor -------------------------------------------------------------------------

def test_a_code_is_accepted_once(member):
    member = with_2fa(member)
    assert totp_verify(user=member, code=member.enrolment_code) is False  # used to turn 2FA on
    code = code_after(member, 30)
    assert totp_verify(user=member, code=code) is True
    assert totp_verify(user=member, code=code) is False  # the same code again: a replay
    assert totp_verify(user=member, code=code_after(member, 0)) is False  # an earlier one


def test_five_wrong_codes_block_the_account_whatever_else_happens(member):
    member = with_2fa(member)
    for _ in range(throttle.MAX_FAILURES):
        assert totp_verify(user=member, code="000000") is False
    # A right password (which used to reset the count) changes nothing…
    assert refused_login(member.email) is None
    throttle.login_succeeded(member.email)
    # …and a right code is refused until the window passes.
    with pytest.raises(TooManyCodes):
        totp_verify(user=member, code=code_after(member, 30))


@pytest.mark.django_db(transaction=True)
def test_wrong_codes_in_other_processes_block_this_one_on_the_database_cache(client, fresh_cache):
    member = with_2fa(staff_create(email="member@example.com", password=PASSWORD, roles=["Administrator"]))
    run_in_another_process("code", member.email, 2)
    run_in_another_process("code", member.email, 3)
    assert login_page(client, member.email) == ""
    assert "Too many wrong codes" in code_page(client, code_after(member, 30))


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_one_code_sent_twice_at_the_same_moment_opens_one_login(fresh_cache):
    member = with_2fa(staff_create(email="member@example.com", password=PASSWORD, roles=["Administrator"]))
    code = code_after(member, 30)
    results: list[bool] = []
    barrier = threading.Barrier(4)

    def verify() -> None:
        barrier.wait()
        try:
            results.append(totp_verify(user=member, code=code))
        finally:
            connection.close()

    threads = [threading.Thread(target=verify) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == [False, False, False, True]
