"""Hostile ids and query parameters answer 400 or 404, never 500."""

import pytest

from solidarity.api import int_param


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/applications/abc/",
        "/api/v1/harm-reports/abc/",
        "/api/v1/dataset-requests/abc/",
        "/api/v1/benefit-agreements/abc/",
        "/api/v1/obligations/?agreement=²",
        "/api/v1/fund/transactions/?agreement=²",
        "/api/v1/obligations/?agreement=" + "9" * 30,
        "/api/v1/applications/?older_than=100000000",
        "/api/v1/applications/?older_than=1e12",
        "/api/v1/harm-reports/?application=" + "9" * 30,
    ],
)
@pytest.mark.parametrize("who", ["auditor", "secretariat", "harm_officer", "benefit_officer"])
def test_hostile_parameters_never_cause_a_server_error(api_client, request, who, url):
    api_client.force_authenticate(request.getfixturevalue(who))
    assert api_client.get(url).status_code < 500


def test_html_queue_refuses_an_absurd_age(client, secretariat):
    client.force_login(secretariat)
    assert client.get("/applications/queue/?older_than=100000000").status_code == 200


@pytest.mark.parametrize(
    ("value", "expected"),
    [("12", 12), ("²", None), ("", None), (None, None), ("9" * 19, None), (" 7 ", 7), ("-1", None)],
)
def test_int_param(value, expected):
    assert int_param(value) == expected
