"""Every list the API answers is paged: products, home companies, webhook endpoints, groups and a
client's addresses and users too, with the same page and page_size parameters and bounds as the other
lists (core/schemas.py: list_page)."""

import pytest

pytestmark = pytest.mark.django_db

MAKERS = {
    "/products": lambda n: {"key": f"product-{n}", "name": f"Product {n:02d}", "module": "sample"},
    "/home-companies": lambda n: {"name": f"Company {n:02d}", "country": "GB"},
    "/webhooks": lambda n: {"url": f"http://127.0.0.1:9/hook-{n}", "description": f"Hook {n:02d}"},
    "/groups": lambda n: {"name": f"Group {n:02d}"},
    "/clients/{client}/addresses": lambda n: {"type": "SHIPPING", "name": f"Depot {n:02d}", "address1": "Main 1",
                                              "city": "Leeds", "postcode": "LS1 1AA", "country": "GB"},
    "/clients/{client}/users": lambda n: {"email": f"helper{n}@example.com", "firstname": "Hel", "lastname": f"Per{n}",
                                          "permissions": []},
}


@pytest.fixture
def url_of(make_client):
    client = make_client()
    return lambda path: path.format(client=client.pk)


@pytest.mark.parametrize("path", sorted(MAKERS))
def test_a_list_comes_in_pages_that_together_hold_each_row_once(api, path, url_of, settings):
    settings.WEBHOOKS_ALLOW_PRIVATE = True
    url = url_of(path)
    for n in range(5):
        assert api.post(url, MAKERS[path](n)).status_code == 201
    everything = api.get(url).json()
    pages = [api.get(url, page=page, page_size=2).json() for page in (1, 2, 3, 4)]
    total = everything["count"]
    assert total >= 5 and len(everything["results"]) == total
    assert [len(p["results"]) for p in pages] == [max(0, min(2, total - 2 * i)) for i in range(4)]
    assert {p["count"] for p in pages} == {total}
    def id_of(row):  # a client's users are links, each naming its user
        return row["user"]["id"] if path.endswith("/users") else row["id"]
    paged_ids = [id_of(row) for p in pages for row in p["results"]]
    assert paged_ids == [id_of(row) for row in everything["results"]]
    assert len(set(paged_ids)) == total


@pytest.mark.parametrize("path", sorted(MAKERS))
@pytest.mark.parametrize("params", [{"page": 0}, {"page_size": 0}, {"page_size": 501}, {"page": "x"}])
def test_a_page_out_of_bounds_is_a_422_naming_the_parameter(api, path, url_of, params):
    response = api.get(url_of(path), **params)
    assert response.status_code == 422
    assert set(params) <= set(response.json()["error"]["fields"])
