"""invoicing.rules.pays_by_transfer: an unpaid proforma of a company that gave its account is paid by
transfer, except while an online payment of it is settling (a transfer would pay it twice)."""

from clientpanel.invoicing import rules
from clientpanel.invoicing.models import Document, DocumentStatus, DocumentType


def _proforma(bank_details: str = "PL61 1090 1014 0000 0712 1981 2874") -> Document:
    return Document(type=DocumentType.PROFORMA, status=DocumentStatus.UNPAID,
                    company_snapshot={"bank_details": bank_details})


def test_no_transfer_while_a_payment_settles():
    assert rules.pays_by_transfer(_proforma())
    assert rules.pays_by_transfer(_proforma(), settling=False)
    assert not rules.pays_by_transfer(_proforma(), settling=True)
    assert not rules.pays_by_transfer(_proforma(""), settling=False)
