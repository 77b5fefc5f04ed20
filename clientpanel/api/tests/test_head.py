"""HEAD works wherever GET does (RFC 9110 9.3.2): the GET's status and headers, no body."""

import pytest

pytestmark = pytest.mark.django_db


def test_head_answers_every_get_route_as_get_without_the_body(api, make_client):
    client = make_client()
    schema = api.client.get("/api/v1/openapi.json").json()
    urls = ["/api/v1/openapi.json"] + [
        path.replace("{client_id}", str(client.pk)) for path, item in schema["paths"].items()
        if "get" in item and "{" not in path.replace("{client_id}", "")]
    assert len(urls) > 10
    for url in urls:
        got = api.client.get(url, headers=api.headers)
        head = api.client.head(url, headers=api.headers)
        assert head.status_code == got.status_code == 200, (url, head.status_code, head.content)
        assert head.content == b""
        assert head["Content-Type"] == got["Content-Type"]
        assert head["Content-Length"] == str(len(got.content))


def test_head_keeps_the_refusals_of_get(api, make_client):
    assert api.client.head("/api/v1/clients").status_code == 401
    assert api.client.head("/api/v1/clients", {"per_page": 1}, headers=api.headers).status_code == 422
    missing = api.client.head("/api/v1/clients/00000000-0000-0000-0000-000000000000", headers=api.headers)
    assert missing.status_code == 404 and missing.content == b""


def test_a_route_without_get_refuses_head_and_a_get_route_allows_it():
    from django.test import Client

    anonymous = Client()
    refused = anonymous.head("/api/v1/services/00000000-0000-0000-0000-000000000000/suspend")
    assert refused.status_code == 405 and "HEAD" not in refused["Allow"]
    put = anonymous.put("/api/v1/clients")
    assert put.status_code == 405 and {m.strip() for m in put["Allow"].split(",")} == {"GET", "HEAD", "POST"}
