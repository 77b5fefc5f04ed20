"""The staff forms that make a record moving no money are sent once too (ui.forms.sent_once): Add
New Client, the top bar's Quick Create (a form with a prefix), a client's new address, a client
file, an API token (its secret is shown in the answer only) and a webhook endpoint (two would each
receive every event). The same form sent again makes nothing and says it was sent already; a form
shown again with its errors keeps its key and goes through once corrected; shown anew, a new key."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.test import Client as Browser
from django.urls import reverse

from clientpanel.accounts.models import ApiToken
from clientpanel.clients.models import Address, Client
from clientpanel.files.models import ClientFile
from clientpanel.files.tests import samples
from clientpanel.files.tests.helpers import use_media_root
from clientpanel.webhooks.models import WebhookEndpoint

from .test_forms_sent_once import SENT_ALREADY, _shown_key, _world
from .test_forms_sent_once import admin as admin  # the fixture: an Administrator

NEW_CLIENT = {"email": "new-owner@example.com", "firstname": "Anna", "lastname": "Nowak", "status": "ACTIVE",
              "billing_country": "PL"}


@dataclass
class Record:
    """A staff form: its page, what it sends (anew for each send: a file is read once), what a
    refused sending looks like, and how many of what it makes there are."""

    page: str
    data: Callable[[], dict]
    refused: dict
    made: Callable[[], int]
    field: str = "submission"  # the key's name ("quick-submission": Quick Create has the prefix "quick")
    made_again: bool = True  # shown anew, the same values make a second one


def _records(client) -> dict[str, Record]:
    return {
        "new client": Record(reverse("backoffice:client-create"), lambda: dict(NEW_CLIENT),
                             {**NEW_CLIENT, "firstname": ""}, Client.objects.count, made_again=False),
        "quick create": Record(reverse("backoffice:client-quick-create"), lambda: {
            "quick-firstname": "Jan", "quick-lastname": "Kowal", "quick-email": "quick@example.com",
            "quick-country": "PL"}, {"quick-firstname": "Jan", "quick-email": "quick@example.com"},
            Client.objects.count, field="quick-submission", made_again=False),
        "new address": Record(reverse("backoffice:address-create", args=[client.pk]), lambda: {
            "type": "SHIPPING", "name": "Depot", "country": "PL", "address1": "ul. Prosta 1", "city": "Warszawa"},
            {"type": "SHIPPING", "name": "Depot", "country": "PL"},
            lambda: Address.objects.filter(client=client).count()),
        "client file": Record(reverse("backoffice:client-file-upload", args=[client.pk]), lambda: {
            "file": samples.upload(samples.PDF, "contract.pdf"), "name": "", "note": "Signed"},
            {"name": "", "note": "No file"}, lambda: ClientFile.objects.filter(client=client).count()),
        "api token": Record(reverse("backoffice:api-token-list"), lambda: {
            "name": "Billing sync", "scopes": ["clients:read"]}, {"name": "", "scopes": ["clients:read"]},
            ApiToken.objects.count),
        "webhook endpoint": Record(reverse("backoffice:webhook-create"), lambda: {
            "url": "http://127.0.0.1:9/hook", "description": "CRM", "is_active": "on"},
            {"url": "", "description": "CRM"}, WebhookEndpoint.objects.count),
    }


@pytest.fixture
def signed_in(make_client, admin, settings, tmp_path):
    use_media_root(settings, tmp_path / "media")
    client, _product, _price = _world(make_client)
    browser = Browser()
    browser.force_login(admin)
    return browser, _records(client)


RECORDS = ["new client", "quick create", "new address", "client file", "api token", "webhook endpoint"]


def _shown(signed_in, name: str) -> tuple[Browser, Record, int, str]:
    """The signed-in browser, the record's form, how many it has made so far, and the key its page shows."""
    browser, records = signed_in
    record = records[name]
    return browser, record, record.made(), _shown_key(browser, record.page, record.field)


def _made(answer) -> bool:
    """The form went through: a redirect (a page, or a modal's plain POST), or the token's page
    showing its new secret."""
    return answer.status_code == 302 or 'id="new-token-secret"' in answer.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("name", RECORDS)
def test_a_staff_record_form_sent_twice_makes_one_and_the_second_says_it_was_sent(signed_in, name):
    browser, record, before, key = _shown(signed_in, name)
    first = browser.post(record.page, {**record.data(), record.field: key})
    assert _made(first), first.content.decode()[:3000]
    assert record.made() == before + 1
    again = browser.post(record.page, {**record.data(), record.field: key})
    page = again.content.decode()
    assert again.status_code == 200 and SENT_ALREADY in page and record.made() == before + 1
    assert 'id="new-token-secret"' not in page  # no second token's secret in place of the first's
    if record.made_again:  # the same owner's e-mail makes no second client anyway
        anew = browser.post(record.page, {**record.data(), record.field: _shown_key(browser, record.page,
                                                                                       record.field)})
        assert _made(anew) and record.made() == before + 2


@pytest.mark.django_db
@pytest.mark.parametrize("name", RECORDS)
def test_a_staff_record_form_shown_again_with_its_errors_keeps_its_key(signed_in, name):
    browser, record, before, key = _shown(signed_in, name)
    refused = browser.post(record.page, {**record.refused, record.field: key})
    page = refused.content.decode()
    assert refused.status_code == 200 and record.made() == before, page[:3000]
    assert SENT_ALREADY not in page and f'name="{record.field}" value="{key}"' in page
    corrected = browser.post(record.page, {**record.data(), record.field: key})
    assert _made(corrected) and record.made() == before + 1


@pytest.mark.django_db
def test_a_token_form_sent_again_says_the_token_is_listed_and_how_to_replace_it(signed_in):
    browser, records = signed_in
    record = records["api token"]
    key = _shown_key(browser, record.page)
    browser.post(record.page, {**record.data(), "submission": key})
    page = browser.post(record.page, {**record.data(), "submission": key}).content.decode()
    token = ApiToken.objects.get()
    assert "revoke the token and create another" in page and f'id="token-{token.pk}"' in page
