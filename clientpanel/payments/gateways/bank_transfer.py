from django.utils.translation import gettext_lazy

from . import AttemptInfo, Checkout, Gateway, GatewayError, NotVerified, register


@register
class BankTransfer(Gateway):
    """Today's flow: the client transfers the money with the proforma's number as the title (its
    page and PDF show the home company's bank details), and staff record it — by hand, or from a
    bank statement (payments/bank). Nothing to start online, nothing notifies."""

    key = "bank_transfer"
    title = gettext_lazy("Bank transfer")
    online = False

    def start(self, attempt: AttemptInfo, *, return_url: str) -> Checkout:
        raise GatewayError(gettext_lazy("A bank transfer is made from the client's bank, not started here."))

    def verify(self, body, headers, *, account_id, settings):
        raise NotVerified("bank transfers send no notifications")
