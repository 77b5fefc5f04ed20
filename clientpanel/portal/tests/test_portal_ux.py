"""What a client user sees going through the portal: every page leads somewhere, and a dashboard
says something even to a user whose permissions show none of its cards."""

import pytest
from django.urls import reverse

from clientpanel.clients import permissions as keys
from clientpanel.clients.services import client_user_link
from clientpanel.invoicing.services import proforma_add_funds
from clientpanel.payments.models import AttemptStatus, PaymentAttempt
from clientpanel.payments.services import payment_start

from .test_portal_pages import _member, _signed_in

pytestmark = pytest.mark.django_db


def test_a_user_allowed_only_documents_gets_a_dashboard_that_leads_to_them(world):
    browser = _signed_in(_member(world["mine"], keys.VIEW_DOCUMENTS))
    page = browser.get(reverse("portal:dashboard")).content.decode()
    assert 'id="dashboard-shortcuts"' in page and "Your login gives you access to:" in page
    assert f'href="{reverse("portal:files")}"' in page.split('id="dashboard-shortcuts"')[1]
    assert f'href="{reverse("portal:invoices")}"' not in page


def test_a_user_with_no_permission_is_told_whom_to_ask(world):
    browser = _signed_in(_member(world["mine"]))
    page = browser.get(reverse("portal:dashboard")).content.decode()
    assert "Ask the account owner to give you the permissions you need." in page


def test_the_owner_dashboard_keeps_its_cards_without_the_shortcuts(world):
    page = _signed_in(world["mine"].owner.email).get(reverse("portal:dashboard")).content.decode()
    assert 'id="portal-balance"' in page and 'id="dashboard-shortcuts"' not in page


def _row(page: str, number: str) -> str:
    return next(row for row in page.split("<tr>") if f">{number}</a>" in row).split("</tr>")[0]


def test_the_unpaid_documents_card_fits_a_phone_and_offers_pay_as_the_invoices_list(world):
    """At 375px the card cut its due-date column inside a sideways-scrolling box: a phone now reads
    the amount and the due day under the number, each kept on one line; and the card offers Pay,
    or says a payment is being processed, as the invoices list does for the same proformas."""
    settling = proforma_add_funds(actor=None, client_id=world["mine"].pk, net_amount="7")
    attempt, _checkout = payment_start(actor=None, document_ids=[settling.pk], account_id=None,
                                       return_url=lambda attempt: "/portal/")
    PaymentAttempt.objects.filter(pk=attempt.pk).update(status=AttemptStatus.PENDING)
    browser = _signed_in(world["mine"].owner.email)
    page = browser.get(reverse("portal:dashboard")).content.decode()
    card = page.split(">Unpaid documents<")[1].split("</form>")[0]
    assert "table-responsive" not in card and f'action="{reverse("portal:pay")}"' in card
    payable = _row(card, world["mine_doc"].number)
    due = f"due {world['mine_doc'].due_date:%Y-%m-%d}"
    phone = payable.split('class="d-sm-none small"')[1].split("</div>")[0]
    assert "$20.00" in phone and due in phone and "text-nowrap" in phone
    assert f'name="documents" value="{world["mine_doc"].pk}"' in payable and ">Pay</button>" in payable
    waiting = _row(card, settling.number)
    assert "Payment being processed" in waiting and 'name="documents"' not in waiting
    listed = browser.get(reverse("portal:invoices")).content.decode()
    assert "Payment being processed" in _row(listed, settling.number)
    assert f'value="{world["mine_doc"].pk}"' in _row(listed, world["mine_doc"].number)


def test_a_document_page_leads_back_to_the_invoices(world):
    browser = _signed_in(world["mine"].owner.email)
    page = browser.get(reverse("portal:document", args=[world["mine_doc"].pk])).content.decode()
    assert f'href="{reverse("portal:invoices")}" id="back-to-invoices"' in page


def test_the_cancellation_page_leads_back_to_the_service(world):
    browser = _signed_in(world["mine"].owner.email)
    service = world["mine_service"]
    page = browser.get(reverse("portal:service-cancel", args=[service.pk])).content.decode()
    assert f'href="{reverse("portal:service", args=[service.pk])}" id="back-to-service"' in page


def test_the_dashboard_shortcuts_speak_polish(world):
    email = _member(world["mine"], keys.VIEW_DOCUMENTS)
    browser = _signed_in(email)
    browser.post(reverse("portal:account"), {"action": "details", "firstname": "Mem", "lastname": "Ber",
                                             "language": "pl"})
    page = browser.get(reverse("portal:dashboard")).content.decode()
    assert "Twój login daje dostęp do:" in page


def test_each_service_count_on_the_dashboard_opens_the_services_of_that_status(world):
    browser = _signed_in(world["mine"].owner.email)
    page = browser.get(reverse("portal:dashboard")).content.decode()
    status = world["mine_service"].status
    link = f'href="{reverse("portal:services")}?status={status}"'
    assert link in page
    listed = browser.get(f'{reverse("portal:services")}?status={status}').content.decode()
    assert reverse("portal:service", args=[world["mine_service"].pk]) in listed


def test_the_password_reset_pages_lead_back_to_the_login(client):
    back = f'href="{reverse("portal:login")}" id="back-to-login"'
    assert back in client.get(reverse("portal:password_reset")).content.decode()
    sent = client.post(reverse("portal:password_reset"), {"email": "nobody@example.com"}).content.decode()
    assert "Check your inbox" in sent and back in sent
    polish = client.get(reverse("portal:password_reset"), HTTP_ACCEPT_LANGUAGE="pl").content.decode()
    assert "Wróć do logowania" in polish


def test_the_phone_label_is_written_like_the_other_labels(world):
    browser = _signed_in(world["mine"].owner.email)
    for name in ("portal:profile", "portal:address-new"):
        page = browser.get(reverse(name)).content.decode()
        assert "Phone number" in page and "Phone Number" not in page


def test_saving_auto_top_up_switched_off_says_it_is_off(world):
    browser = _signed_in(world["mine"].owner.email)
    page = browser.post(reverse("portal:payment-methods"), {
        "action": "auto_top_up", "amount": "50", "days": "7", "max_per_month": "2"}, follow=True).content.decode()
    assert "Auto top-up is off." in page


def test_switching_to_a_client_whose_name_ends_in_a_dot_ends_one_sentence(world, make_client):
    second = make_client(currency="USD", company_name="Jansen B.V.")
    client_user_link(actor=None, client_id=second.pk, data={"email": world["mine"].owner.email, "permissions": []})
    browser = _signed_in(world["mine"].owner.email)
    page = browser.post(reverse("portal:switch-client"), {"client": str(second.pk)}, follow=True).content.decode()
    assert f"You now act for Jansen B.V. ({second.number})." in page and "B.V.." not in page


def test_logging_out_says_so_on_the_login_page(world):
    browser = _signed_in(world["mine"].owner.email)
    page = browser.post(reverse("portal:logout"), follow=True).content.decode()
    assert 'id="portal-login"' in page and "You are signed out." in page
    # Sent again (a second tab, a double click) by nobody signed in: the login page as it is.
    again = browser.post(reverse("portal:logout"), follow=True).content.decode()
    assert 'id="portal-login"' in again and "You are signed out." not in again


def test_a_long_company_name_is_cut_short_beside_the_menu_button(world):
    """At 375px a long home company name pushed the menu button onto a line of its own."""
    page = _signed_in(world["mine"].owner.email).get(reverse("portal:dashboard")).content.decode()
    brand = page.split('id="portal-brand"')[1].split("</a>")[0]
    assert 'class="text-truncate" id="portal-brand-name"' in brand and "text-wrap" not in brand
    assert "#portal-brand { flex: 1 1 0; }" in page  # it shrinks to leave the button its place
