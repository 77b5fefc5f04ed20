"""Every list the API answers is paged: products, home companies and webhook endpoints too, with the
same page and page_size parameters and bounds as the other lists (core/schemas.py: list_page)."""

import pytest

pytestmark = pytest.mark.django_db

MAKERS = {
    "/products": lambda n: {"key": f"product-{n}", "name": f"Product {n:02d}", "module": "sample"},
    "/home-companies": lambda n: {"name": f"Company {n:02d}", "country": "GB"},
    "/webhooks": lambda n: {"url": f"http://127.0.0.1:9/hook-{n}", "description": f"Hook {n:02d}"},
}


@pytest.mark.parametrize("path", sorted(MAKERS))
def test_a_list_comes_in_pages_that_together_hold_each_row_once(api, path, settings):
    settings.WEBHOOKS_ALLOW_PRIVATE = True
    for n in range(5):
        assert api.post(path, MAKERS[path](n)).status_code == 201
    everything = api.get(path).json()
    pages = [api.get(path, page=page, page_size=2).json() for page in (1, 2, 3, 4)]
    total = everything["count"]
    assert total >= 5 and len(everything["results"]) == total
    assert [len(p["results"]) for p in pages] == [max(0, min(2, total - 2 * i)) for i in range(4)]
    assert {p["count"] for p in pages} == {total}
    paged_ids = [row["id"] for p in pages for row in p["results"]]
    assert paged_ids == [row["id"] for row in everything["results"]]
    assert len(set(paged_ids)) == total


@pytest.mark.parametrize("path", sorted(MAKERS))
@pytest.mark.parametrize("params", [{"page": 0}, {"page_size": 0}, {"page_size": 501}, {"page": "x"}])
def test_a_page_out_of_bounds_is_a_422_naming_the_parameter(api, path, params):
    response = api.get(path, **params)
    assert response.status_code == 422
    assert set(params) <= set(response.json()["error"]["fields"])
