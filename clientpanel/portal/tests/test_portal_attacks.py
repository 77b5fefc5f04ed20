"""The portal against an attacker: a session that outlives a new password, and a signed-in owner
reaching another client's objects by id on every page that takes one (the page matrix in
test_portal_pages.py checks the permission keys and another client's document only)."""

import pytest
from django.test import Client
from django.urls import reverse

from clientpanel.accounts import throttle
from clientpanel.accounts.links import RESET_PASSWORD, link_args
from clientpanel.accounts.models import User
from clientpanel.accounts.services import staff_create
from clientpanel.clients.models import ClientUser
from clientpanel.clients.selectors import billing_address_of
from clientpanel.clients.services import client_user_link
from clientpanel.payments.models import AttemptStatus, PaymentAttempt
from clientpanel.payments.services import payment_start

from .conftest import PASSWORD
from .test_portal_user_limits import _invite

pytestmark = pytest.mark.django_db


NEW_PASSWORD = "brand-new-passphrase-77"


def _signed_in(email, password=PASSWORD):
    browser = Client()
    response = browser.post(reverse("portal:login"), {"email": email, "password": password})
    assert response.status_code == 302, response.content[:300]
    return browser


def test_changing_the_password_ends_the_users_other_portal_sessions_and_keeps_this_one(world):
    email = world["mine"].owner.email
    thief, owner = _signed_in(email), _signed_in(email)
    changed = owner.post(reverse("portal:account"), {"action": "password", "current_password": PASSWORD,
                                                     "password": NEW_PASSWORD, "password_again": NEW_PASSWORD})
    assert changed.status_code == 302, changed.content.decode()[:2000]
    assert owner.get(reverse("portal:dashboard")).status_code == 200
    assert thief.get(reverse("portal:dashboard"))["Location"].startswith(reverse("portal:login"))
    assert thief.get(reverse("portal:invoices")).status_code == 302
    assert _signed_in(email, NEW_PASSWORD).get(reverse("portal:dashboard")).status_code == 200


def test_a_password_chosen_from_a_reset_link_ends_every_portal_session(world):
    owner = world["mine"].owner
    thief = _signed_in(owner.email)
    owner.refresh_from_db()  # the link is made after the thief's sign-in (which changed last_login)
    chosen = Client().post(reverse("portal:reset_password", kwargs=link_args(RESET_PASSWORD, owner)),
                           {"password": NEW_PASSWORD, "password_again": NEW_PASSWORD})
    assert chosen.status_code == 200
    owner.refresh_from_db()
    assert owner.check_password(NEW_PASSWORD)
    assert thief.get(reverse("portal:dashboard"))["Location"].startswith(reverse("portal:login"))


def test_an_owner_reaches_no_other_clients_object_by_id_on_any_page(world):
    browser = _signed_in(world["mine"].owner.email)
    theirs = world["theirs"]
    their_user = client_user_link(actor=None, client_id=theirs.pk, data={
        "email": "theiruser@example.com", "firstname": "T", "lastname": "U", "permissions": []})
    their_attempt, _checkout = payment_start(actor=None, document_ids=[world["their_doc"].pk], account_id=None,
                                             return_url=lambda attempt: "/portal/")
    their_billing = billing_address_of(theirs).pk
    answers = {}
    for name, object_id, method in [
            ("service", world["their_service"].pk, "get"), ("service-cancel", world["their_service"].pk, "post"),
            ("service-keep", world["their_service"].pk, "post"), ("address", their_billing, "get"),
            ("address", their_billing, "post"), ("address-delete", their_billing, "post"),
            ("address-default", their_billing, "post"), ("file-download", world["their_file"].pk, "get"),
            ("file-download", world["mine_hidden_file"].pk, "get"),  # not shown in the portal by staff
            ("user", their_user.user_id, "get"), ("user", their_user.user_id, "post"),
            ("user-remove", their_user.user_id, "post"), ("payment", their_attempt.pk, "get"),
            ("test-gateway", their_attempt.pk, "get"), ("test-gateway", their_attempt.pk, "post"),
            ("document-einvoice", world["their_doc"].pk, "get")]:
        data = {"outcome": "succeed", "city": "Elsewhere", "permissions": ["manage-users"]} if method == "post" else {}
        url = reverse(f"portal:{name}", args=[object_id])
        answers[(name, method)] = getattr(browser, method)(url, data).status_code
    assert set(answers.values()) == {404}, answers
    # Paying one's own proforma together with theirs starts no payment of theirs.
    browser.post(reverse("portal:pay"), {"documents": [str(world["mine_doc"].pk), str(world["their_doc"].pk)]})
    assert list(PaymentAttempt.objects.filter(client=theirs)) == [their_attempt]
    their_attempt.refresh_from_db()
    world["their_doc"].refresh_from_db()
    assert (their_attempt.status, world["their_doc"].status) == (AttemptStatus.STARTED, "UNPAID")
    assert their_user.user in [link.user for link in theirs.user_links.all()]


def test_each_address_of_an_account_out_of_reach_costs_an_invitation(world):
    """Manage Users answers an address of another client's login or of a staff member with "already
    exists": without a cost, any owner (sign-up is open) could test addresses without end."""
    browser = _signed_in(world["mine"].owner.email)
    staff_create(email="admin.staff@example.com", password=PASSWORD, roles=["Administrator"])
    known = [world["theirs"].owner.email, "admin.staff@example.com"]
    for n in range(throttle.MAX_INVITATIONS_PER_HOUR):
        answer = _invite(browser, known[n % 2]).content.decode()
        assert "A user with this email address already exists." in answer
    blocked = _invite(browser, world["theirs"].owner.email).content.decode()
    assert "invitations in the last hour; try again later" in blocked and "already exists" not in blocked
    assert _invite(browser, "nobody.yet@example.com").status_code == 200
    assert not User.objects.filter(email="nobody.yet@example.com").exists()
    assert not ClientUser.objects.filter(client=world["mine"], user__email__in=known).exists()


def test_no_signed_in_page_is_kept_by_a_browser_or_a_proxy(world):
    # The 2FA page shows the secret and the recovery codes; the others the client's money and documents.
    browser = _signed_in(world["mine"].owner.email)
    for url in (reverse("portal:dashboard"), reverse("portal:account-2fa"), reverse("portal:invoices"),
                reverse("portal:transactions"), reverse("portal:document-pdf", args=[world["mine_doc"].pk]),
                reverse("portal:file-download", args=[world["mine_file"].pk])):
        response = browser.get(url)
        assert "no-store" in response.get("Cache-Control", ""), (url, response.status_code)
    # The company's logo chose its own: private, for an hour.
    assert browser.get(reverse("portal:logo"))["Cache-Control"] == "private, max-age=3600"
