"""registration_gaps: a home company charging a tax it has no registration number for is told so."""

import pytest

from clientpanel.tax.models import HomeCompany
from clientpanel.tax.rules import registration_gaps


def company(**fields) -> HomeCompany:
    return HomeCompany(name="Co", **fields)


@pytest.mark.parametrize(("fields", "taxes", "warned"), [
    ({"country": "CA", "region": "QC"}, [("GST", "5"), ("QST", "9.975")], ["GST/HST", "PST/QST"]),
    ({"country": "CA", "region": "QC", "ca_gst_hst": "1RT0001"}, [("GST", "5"), ("QST", "9.975")], ["PST/QST"]),
    ({"country": "CA", "ca_gst_hst": "1RT0001", "ca_pst_qst": "1TQ0001"}, [("GST", "5"), ("QST", "9.975")], []),
    ({"country": "CA"}, [("HST", "13")], ["GST/HST"]),
    ({"country": "PL"}, [("VAT", "23")], ["VAT ID"]),
    ({"country": "PL", "eu_vat_id": "PL5260250995"}, [("VAT", "23")], []),
    ({"country": "PL", "local_tax_id": "5260250995"}, [("VAT", "23")], []),
    ({"country": "PL"}, [("VAT", "0")], []),  # charging nothing needs no number
    ({"country": "PL"}, [], []),
    ({"country": "US"}, [("Sales tax", "8.875")], ["state tax ID"]),
    ({"country": "NO"}, [("MVA", "25")], ["tax ID"]),
    ({"country": "NO", "registration_number": "123456789"}, [("MVA", "25")], []),
])
def test_a_tax_charged_without_its_registration_is_warned(fields, taxes, warned):
    gaps = registration_gaps(company(**fields), taxes)
    assert len(gaps) == len(warned)
    for gap, words in zip(gaps, warned, strict=True):
        assert words in gap
