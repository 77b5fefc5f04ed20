"""An import's row for an existing client says what the panel will hold, or is refused: a row whose
number is one client's and whose e-mail address is another's is refused naming both (an auditor's
update changed client A's first name from a row carrying client B's address, reported as updated);
an update does not change a client's owner e-mail address or its number, so a row giving others is
refused rather than half applied; and a row moving a client to another country without a region
clears the stored region of the old country (it was refused for a region the file never named)."""

from __future__ import annotations

import pytest

from clientpanel.clients.models import Client, ClientImport
from clientpanel.clients.selectors import billing_address_of

from .test_imports import csv_bytes, run, upload

pytestmark = pytest.mark.django_db

HEADER = "number,email,firstname,lastname,country,city"


@pytest.fixture
def g1_g2(make_client):
    return make_client(email="g1@example.com"), make_client(email="g2@example.com")


def _messages() -> list[str]:
    return [message for error in ClientImport.objects.order_by("-created_at").first().errors
            for message in error["messages"]]


@pytest.mark.parametrize("commit", [False, True])
@pytest.mark.parametrize("on_existing", ["update", "skip", "refuse"])
def test_a_number_of_one_client_with_the_email_of_another_is_refused_naming_both(g1_g2, on_existing, commit):
    g1, g2 = g1_g2
    result = run(upload(csv_bytes(f"{g1.number},g2@example.com,Hijack,Nowak,PL,Warszawa", header=HEADER)),
                 on_existing=on_existing, commit=commit)
    assert (result["counts"]["rejected"], result["counts"]["updated"], result["counts"]["skipped"]) == (1, 0, 0)
    assert _messages() == [f"Client number {g1.number} is the client of g1@example.com, but g2@example.com is the "
                           f"e-mail address of client {g2.number}: one row cannot name two clients."]
    assert {c.firstname for c in Client.objects.all()} == {"Ruslan"}


def test_an_update_does_not_change_the_owners_email_address_and_says_so(g1_g2):
    g1, _g2 = g1_g2
    content = csv_bytes(f"{g1.number},nobody@example.com,Ann,Nowak,PL,Warszawa", header=HEADER)
    result = run(upload(content), on_existing="update")
    assert (result["counts"]["rejected"], result["counts"]["updated"]) == (1, 0)
    assert _messages() == [f"The owner of client {g1.number} has the e-mail address g1@example.com, not "
                           f"nobody@example.com: an import does not change a client's e-mail address (leave the "
                           f"cell empty or put g1@example.com)."]
    g1.refresh_from_db()
    assert (g1.firstname, g1.owner.email) == ("Ruslan", "g1@example.com")
    # Skipped, it changes nothing: nothing to refuse.
    assert run(upload(content), on_existing="skip")["counts"]["skipped"] == 1
    # The owner's own address (written otherwise) or none: the row updates the client.
    content = csv_bytes(f"{g1.number},G1@Example.COM,Ann,Nowak,PL,Warszawa", f"{_g2.number},,Bob,Nowak,PL,Gdańsk",
                        header=HEADER)
    assert run(upload(content), on_existing="update")["counts"]["updated"] == 2
    assert sorted(Client.objects.values_list("firstname", flat=True)) == ["Ann", "Bob"]


def test_an_update_does_not_renumber_a_client_matched_by_its_owners_email_address(g1_g2):
    g1, _g2 = g1_g2
    result = run(upload(csv_bytes("C-9999,g1@example.com,Ann,Nowak,PL,Warszawa", header=HEADER)),
                 on_existing="update")
    assert (result["counts"]["rejected"], result["counts"]["updated"]) == (1, 0)
    assert _messages() == [f"g1@example.com is the e-mail address of client {g1.number}, not of client number "
                           f"C-9999: an import does not change client numbers (leave the cell empty or put "
                           f"{g1.number})."]
    g1.refresh_from_db()
    assert (g1.firstname, g1.number) == ("Ruslan", g1.number)


@pytest.mark.parametrize("header, cells", [("email,country,city", ""), ("email,country,city,region", ",")])
def test_moving_a_client_to_another_country_without_a_region_clears_the_old_countrys(make_client, header, cells):
    client = make_client(email="moving@example.com")
    assert billing_address_of(client).region == "PL-14"
    result = run(upload(csv_bytes(f"moving@example.com,DE,Berlin{cells}", header=header)), on_existing="update")
    assert (result["counts"]["updated"], result["counts"]["rejected"]) == (1, 0), _messages()
    client.refresh_from_db()
    address = billing_address_of(client)
    assert (client.billing_country, address.country, address.city, address.region) == ("DE", "DE", "Berlin", "")


def test_a_region_named_or_a_country_kept_is_checked_as_before(make_client):
    client = make_client(email="moving@example.com")
    header = "email,country,city,region"
    result = run(upload(csv_bytes("moving@example.com,DE,Berlin,Bayern", header=header)), on_existing="update")
    assert result["counts"]["updated"] == 1
    assert billing_address_of(client).region == "DE-BY"
    refused = run(upload(csv_bytes("moving@example.com,PL,Kraków,Bayern", header=header)), on_existing="update")
    assert refused["counts"]["rejected"] == 1
    assert _messages() == ["region: 'Bayern' is not a state or region of Poland."]
    # The same country without a region keeps the one stored.
    assert run(upload(csv_bytes("moving@example.com,DE,München", header="email,country,city")),
               on_existing="update")["counts"]["updated"] == 1
    assert billing_address_of(client).region == "DE-BY"
