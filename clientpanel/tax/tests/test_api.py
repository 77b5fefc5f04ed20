import json

import pytest

pytestmark = pytest.mark.django_db


def post(api, path, body):
    return api.client.post(f"/api/v1{path}", data=json.dumps(body), content_type="application/json",
                           headers=api.headers)


def test_home_companies(api):
    created = post(api, "/home-companies", {"name": "US Corp", "country": "US", "us_ein": "12-3456789"})
    assert created.status_code == 201 and created.json()["is_default"] is False
    bad = post(api, "/home-companies", {"name": "X", "country": "XX", "invoice_pattern": "INV/{YEAR}"})
    assert bad.status_code == 422 and {"country", "invoice_pattern"} <= set(bad.json()["error"]["fields"])
    listed = api.get("/home-companies").json()
    assert listed["count"] == 2 and listed["results"][0]["is_default"] is True
