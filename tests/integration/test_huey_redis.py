"""The billing task on real Huey consumers on the real Redis of this machine: two consumers run
the charge job at the same moment and nothing is charged twice."""

import datetime as dt
import os
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from clientpanel.catalog.models import Price, Product
from clientpanel.client_services.models import Service, ServiceCharge
from clientpanel.client_services.services import service_order
from clientpanel.clients.services import client_create
from clientpanel.ledger.models import EntryType, LedgerEntry
from clientpanel.ledger.selectors import ledger_breaches
from clientpanel.ledger.services import entry_post
from conftest import client_data

ROOT = Path(__file__).resolve().parents[2]
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/14")


def redis_or_skip():
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
    except redis.RedisError as error:
        if os.environ.get("CI") == "true":
            pytest.fail(f"Redis at {REDIS_URL} is not reachable: {error}")
        pytest.skip(f"Redis at {REDIS_URL} is not reachable")


def consumer_env() -> dict:
    db = settings.DATABASES["default"]
    env = dict(os.environ)
    env.update(DJANGO_SETTINGS_MODULE="config.settings.dev", DEBUG="false", REDIS_URL=REDIS_URL,
               DATABASE_URL=f"postgres://{db['USER']}@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}")
    return env


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_redis_consumers_running_the_charge_job_at_once_charge_once():
    redis_or_skip()
    import redis

    redis.Redis.from_url(REDIS_URL).flushdb()
    client = client_create(actor=None, data=client_data(currency="USD"))
    entry_post(client_id=client.pk, type=EntryType.ADJUSTMENT, net=Decimal("100"), description="Top-up")
    product = Product.objects.create(key="vps-l", name="VPS L", module="manual")
    price = Price.objects.create(product=product, currency="USD", period="HOURLY", amount=Decimal("0.9271"))
    services = [service_order(actor=None, client_id=client.pk, product_id=product.pk, price_id=price.pk)
                for _ in range(3)]
    activated = Service.objects.get(pk=services[0].pk).activation_date
    assert activated is not None  # provisioned on commit (immediate mode in this process)
    later = max(Service.objects.filter(pk__in=[s.pk for s in services]).values_list("billed_until", flat=True)) \
        + dt.timedelta(hours=4, minutes=1)
    connection.close()

    env = consumer_env()
    consumers = [subprocess.Popen([sys.executable, str(ROOT / "manage.py"), "run_huey", "--workers", "1",
                                   "--no-periodic"], env=env, cwd=ROOT, stdout=subprocess.DEVNULL,
                                  stderr=subprocess.DEVNULL) for _ in range(2)]
    try:
        time.sleep(3)
        enqueue = ("from clientpanel.client_services.tasks import charge_services_task; "
                   f"[charge_services_task('{later.isoformat()}') for _ in range(4)]")
        subprocess.run([sys.executable, str(ROOT / "manage.py"), "shell", "-c", enqueue], env=env, cwd=ROOT,
                       check=True, capture_output=True)
        deadline = time.monotonic() + 60
        while Service.objects.filter(billed_until__lte=later).exists() and time.monotonic() < deadline:
            time.sleep(0.2)
        time.sleep(1)  # let any duplicate run finish, so a double charge would show
    finally:
        for consumer in consumers:
            consumer.terminate()
        for consumer in consumers:
            consumer.wait(timeout=30)
    for service in services:
        starts = list(ServiceCharge.objects.filter(service=service, kind="PERIOD").values_list("period_start",
                                                                                               flat=True))
        assert len(starts) == len(set(starts)) == 6  # the first hour at activation, then 5 more
    assert LedgerEntry.objects.filter(type=EntryType.CHARGE).count() == 18
    assert ledger_breaches() == []
    # Nobody reads a task's return value: none is kept (it piled up in Redis for ever).
    assert not [key for key in redis.Redis.from_url(REDIS_URL).scan_iter() if b"result" in key]
