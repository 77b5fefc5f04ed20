"""A page of another client the user is linked to is offered ("act for that client?") only when the
portal shows that client's users the page's object: a draft document, or a file staff did not mark
visible in the portal, is a 404 from the start — a reviewer was offered the switch for them, then a
404 after switching, which told the object exists. Both ways in: acting for a client without the
page's permission (portal_page) and with it (the view's not_here)."""

import pytest
from django.urls import reverse

from clientpanel.clients import permissions as keys
from clientpanel.clients.services import client_user_link
from clientpanel.invoicing.models import Document, DocumentStatus

from .conftest import _file
from .test_portal_pages import _member, _signed_in

pytestmark = pytest.mark.django_db


def _asks(response) -> bool:
    return response.status_code == 200 and 'id="switch-confirm"' in response.content.decode()


@pytest.fixture
def hidden(world):
    """A draft document and a file not shown in the portal, both of "theirs"."""
    draft = world["their_doc"]
    Document.objects.filter(pk=draft.pk).update(status=DocumentStatus.DRAFT)
    return {"draft": draft, "file": _file(world["theirs"], "Their internal memo", False)}


def _linked(world, mine_permissions, email):
    email = _member(world["mine"], *mine_permissions, email=email)
    client_user_link(actor=None, client_id=world["theirs"].pk, data={
        "email": email, "permissions": [keys.MANAGE_INVOICES, keys.VIEW_DOCUMENTS]})
    return _signed_in(email)


@pytest.mark.parametrize("mine_permissions", [[keys.MANAGE_SERVICES], [keys.MANAGE_INVOICES, keys.VIEW_DOCUMENTS]],
                         ids=["without-the-permission-here", "with-it-here"])
def test_what_the_portal_hides_from_the_other_clients_users_is_no_page(world, hidden, mine_permissions):
    browser = _linked(world, mine_permissions, "both@example.com")
    for name in ("portal:document", "portal:document-pdf", "portal:document-einvoice"):
        response = browser.get(reverse(name, args=[hidden["draft"].pk]))
        assert response.status_code == 404 and 'id="switch-confirm"' not in response.content.decode()
    response = browser.get(reverse("portal:file-download", args=[hidden["file"].pk]))
    assert response.status_code == 404 and 'id="switch-confirm"' not in response.content.decode()


@pytest.mark.parametrize("mine_permissions", [[keys.MANAGE_SERVICES], [keys.MANAGE_INVOICES, keys.VIEW_DOCUMENTS]],
                         ids=["without-the-permission-here", "with-it-here"])
def test_what_the_portal_shows_the_other_clients_users_asks_to_act_for_it(world, mine_permissions):
    browser = _linked(world, mine_permissions, "both@example.com")
    assert _asks(browser.get(reverse("portal:document", args=[world["their_doc"].pk])))
    assert _asks(browser.get(reverse("portal:file-download", args=[world["their_file"].pk])))


def test_after_switching_the_hidden_ones_stay_hidden_and_the_shown_ones_open(world, hidden):
    browser = _linked(world, [keys.MANAGE_SERVICES], "both@example.com")
    browser.post(reverse("portal:switch-client"), {"client": str(world["theirs"].pk), "next": "/portal/"})
    assert browser.get(reverse("portal:document", args=[hidden["draft"].pk])).status_code == 404
    assert browser.get(reverse("portal:file-download", args=[hidden["file"].pk])).status_code == 404
    assert browser.get(reverse("portal:file-download", args=[world["their_file"].pk])).status_code == 200
