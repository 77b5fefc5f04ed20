"""The site's CSP lets forms post to this site only (form-action 'self'), and browsers apply it to
the redirect that follows the POST as well (Chromium blocks "Sending form data to …/pay" when the
answer is a redirect to another origin). Pay now redirects to Stripe Checkout, so every portal page
(the pages holding Pay, Add funds and the saved cards' forms) allows that page too."""

import pytest
from django.urls import reverse

from .test_portal_pages import _signed_in

pytestmark = pytest.mark.django_db


def _form_action(response) -> list[str]:
    directives = dict(part.strip().split(" ", 1) for part in response["Content-Security-Policy"].split(";")
                      if part.strip())
    return directives["form-action"].split()


@pytest.mark.parametrize("page", ["portal:dashboard", "portal:invoices", "portal:add-funds",
                                  "portal:payment-methods"])
def test_portal_pages_let_a_payment_form_go_on_to_stripe_checkout(world, page):
    response = _signed_in(world["mine"].owner.email).get(reverse(page))
    assert response.status_code == 200
    assert _form_action(response) == ["'self'", "https://checkout.stripe.com"]


def test_the_document_page_with_its_pay_button_does_too(world):
    browser = _signed_in(world["mine"].owner.email)
    response = browser.get(reverse("portal:document", args=[world["mine_doc"].pk]))
    assert "https://checkout.stripe.com" in _form_action(response)


def test_other_pages_of_the_site_still_post_to_this_site_only(world):
    assert _form_action(_signed_in(world["mine"].owner.email).get(reverse("portal:login"))) == ["'self'"]
