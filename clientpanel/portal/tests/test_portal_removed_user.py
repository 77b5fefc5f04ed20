"""A client user removed from a client, or deactivated, acts no more: its next request — a page or
a POST already on its screen — finds no portal session for that client."""

import pytest
from django.urls import reverse

from clientpanel.accounts.models import User
from clientpanel.clients import permissions as keys
from clientpanel.clients.services import client_user_link, client_user_remove
from clientpanel.invoicing.models import Document

from .test_portal_pages import _member, _signed_in

pytestmark = pytest.mark.django_db


def test_a_removed_user_is_signed_out_and_its_pending_post_does_nothing(world):
    email = _member(world["mine"], keys.MANAGE_INVOICES)
    browser = _signed_in(email)
    assert browser.get(reverse("portal:invoices")).status_code == 200
    client_user_remove(actor=None, client_id=world["mine"].pk, user_id=User.objects.get(email=email).pk)
    before = Document.objects.count()
    refused = browser.post(reverse("portal:add-funds"), {"amount": "50"})
    assert refused.status_code == 302 and refused["Location"].startswith(reverse("portal:login"))
    assert Document.objects.count() == before
    assert browser.get(reverse("portal:dashboard")).status_code == 302


def test_removed_from_the_selected_client_it_acts_only_for_the_one_left(world):
    email = _member(world["mine"], keys.MANAGE_INVOICES)
    client_user_link(actor=None, client_id=world["theirs"].pk, data={"email": email, "permissions": []})
    browser = _signed_in(email)
    client_user_remove(actor=None, client_id=world["mine"].pk, user_id=User.objects.get(email=email).pk)
    assert browser.get(reverse("portal:invoices")).status_code == 404  # no Manage Invoices at the other
    assert browser.get(reverse("portal:document", args=[world["mine_doc"].pk])).status_code == 404
    told = browser.get(reverse("portal:dashboard")).content.decode()
    assert f"{world['mine'].display_name} is no longer open to you" in told  # said once, on the next page
    page = browser.get(reverse("portal:dashboard")).content.decode()
    assert world["theirs"].display_name in page and world["mine"].display_name not in page


def test_a_deactivated_user_is_signed_out(world):
    browser = _signed_in(world["mine"].owner.email)
    User.objects.filter(pk=world["mine"].owner_id).update(is_active=False)
    assert browser.get(reverse("portal:dashboard")).status_code == 302
