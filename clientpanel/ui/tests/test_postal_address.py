"""ui's postal_address: an address on one line in the reader's language. One with only a country (and
a region) is their names ("Polska", not the stored English "Poland"); only a document snapshot that
kept nothing but its line (of before the fields were kept) shows that line."""

from django.utils import translation

from clientpanel.clients.models import Address
from clientpanel.ui.templatetags.ui import postal_address


def test_only_a_country_reads_as_its_name_in_the_readers_language():
    with translation.override("pl"):
        assert postal_address(Address(country="PL")) == "Polska"
        assert postal_address({"name": "Default", "address1": "", "city": "", "country": "PL", "region": "",
                               "one_line": "Poland"}) == "Polska"
        assert postal_address({"name": "Seller", "country": "DE"}) == "Niemcy"  # a company's snapshot: no line
        assert postal_address(Address(country="US", region="US-CA")) == "California, Stany Zjednoczone"
    with translation.override("en"):
        assert postal_address(Address(country="PL")) == "Poland"


def test_a_snapshot_that_kept_only_its_line_shows_it_and_an_empty_address_nothing():
    with translation.override("pl"):
        assert postal_address({"one_line": "Old Street 1, Kraków"}) == "Old Street 1, Kraków"
        assert postal_address({"one_line": ""}) == "" and postal_address({}) == ""
        assert postal_address(None) == ""
        kept = {"address1": "ul. Kawowa 5", "city": "Kraków", "postcode": "30-001", "country": "PL",
                "one_line": "ul. Kawowa 5, 30-001 Kraków, Poland"}
        assert postal_address(kept) == "ul. Kawowa 5, 30-001 Kraków, Polska"
