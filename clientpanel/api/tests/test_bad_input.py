"""Bad input to the API (issue 9): always a 4xx in the one error shape, never a 500, nothing written.

Each test here was a 500 (or an HTML / plain-text answer) before the rule it names.
"""

import pytest

from clientpanel.api.tests.test_clients_api import assert_error, rows

pytestmark = pytest.mark.django_db


# --- every answer under /api/v1/ is the error shape ---------------------------------------------


@pytest.mark.parametrize("method", ["get", "post", "patch", "delete"])
def test_unknown_api_route_is_a_json_404(api, method):
    response = getattr(api.client, method)("/api/v1/no-such-thing/42", headers=api.headers)
    assert_error(response, 404, "not_found")


def test_unknown_api_route_is_a_json_404_without_a_token_too(client):
    assert_error(client.get("/api/v1/clients/"), 404, "not_found")


def test_wrong_method_is_a_json_405_naming_the_allowed_ones(api):
    response = api.client.put("/api/v1/clients", headers=api.headers)
    assert_error(response, 405, "method_not_allowed")
    assert set(response["Allow"].replace(" ", "").split(",")) == {"GET", "POST"}


def test_body_over_the_limit_is_a_json_413_and_writes_nothing(api, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    response = api.post("/clients", {"firstname": "x" * 20_000})
    assert_error(response, 413, "body_too_large")
    assert rows() == (0, 0, 0)
