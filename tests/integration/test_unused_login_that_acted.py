"""A login nobody signed in to, but staff acted as (Login as Owner), is used: removing its last link
keeps it. It was deleted — on PostgreSQL refused by the append-only ledger (the removal failed for
ever), on SQLite emptying who did what on its ledger entries and audit events."""

from __future__ import annotations

import pytest

from clientpanel.accounts.models import User
from clientpanel.audit.models import AuditEvent
from clientpanel.client_services.services import service_order
from clientpanel.client_services.tests.test_billing import funded_client, make_product
from clientpanel.clients.actors import portal_actor
from clientpanel.clients.permissions import MANAGE_ORDERS
from clientpanel.clients.services import client_user_link, client_user_remove
from clientpanel.core.actor import acting_as
from clientpanel.ledger.models import LedgerEntry

pytestmark = pytest.mark.django_db


def test_a_login_staff_acted_as_stays_when_its_invitation_is_withdrawn(staff, django_capture_on_commit_callbacks):
    client = funded_client("500")
    user = client_user_link(actor=None, client_id=client.pk, data={
        "email": "acted-as@example.com", "firstname": "In", "lastname": "Vited", "permissions": [MANAGE_ORDERS]},
        send_invitation=True).user
    actor = portal_actor(user, client.pk, impersonator=staff)
    product, price = make_product(key="monthly", period="MONTHLY", amount="20.00", hourly=False)
    with acting_as(actor), django_capture_on_commit_callbacks(execute=True):  # the order's charge runs then
        service_order(actor=actor, client_id=client.pk, product_id=product.pk, price_id=price.pk)
    assert LedgerEntry.objects.filter(created_by=user).exists()
    client_user_remove(actor=None, client_id=client.pk, user_id=user.pk)
    assert User.objects.filter(pk=user.pk).exists()  # kept: it did things, which stay its
    assert LedgerEntry.objects.filter(created_by=user).exists() and AuditEvent.objects.filter(actor=user).exists()


def test_a_login_that_only_received_mail_is_still_unused(staff):
    client = funded_client("500")
    user = client_user_link(actor=None, client_id=client.pk, data={
        "email": "mailed@example.com", "firstname": "Mai", "lastname": "Led", "permissions": []},
        send_invitation=True).user  # its invitation e-mail names it as the recipient
    client_user_remove(actor=None, client_id=client.pk, user_id=user.pk)
    assert not User.objects.filter(pk=user.pk).exists()
