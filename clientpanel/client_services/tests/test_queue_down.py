"""An order commits before its provisioning is queued: a queue that is down (Redis unreachable)
must not turn the committed order into a server error — the client's request answered 500 while
the service was saved. The automation pass provisions what is still pending (ops audit)."""

import pytest
from django.db import transaction

from clientpanel.client_services import tasks
from clientpanel.client_services.models import ProvisionStatus, Service
from clientpanel.client_services.services import job_provision_pending, service_order

from .test_billing import funded_client, make_product


@pytest.mark.django_db(transaction=True)
def test_an_order_stands_when_its_provisioning_cannot_be_queued(monkeypatch):
    def queue_down(service_id):
        raise ConnectionError("Error 111 connecting to 127.0.0.1:6399. Connection refused.")

    monkeypatch.setattr(tasks, "provision_service_task", queue_down)
    client = funded_client("100")
    product, price = make_product(key="vps-month", period="MONTHLY", amount="20.00")
    with transaction.atomic():
        service = service_order(actor=None, client_id=client.pk, product_id=product.pk, price_id=price.pk)
    assert Service.objects.get(pk=service.pk).provision_status == ProvisionStatus.PENDING
    from django.utils import timezone

    job_provision_pending(now=timezone.now())
    assert Service.objects.get(pk=service.pk).provision_status == ProvisionStatus.COMPLETED
