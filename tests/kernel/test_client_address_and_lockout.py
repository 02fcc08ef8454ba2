"""Rate limits and sign-in lockouts keyed on the client's real address (issue 17, items 4, 8).

X-Forwarded-For is believed only from configured proxies; receipt codes also have a
per-code and a global budget; sign-in locks per account whatever the address and per address
across accounts (django-axes).
"""

import pytest
from django.urls import reverse

from harms.models import HarmReport
from tests.factories import UserFactory
from tests.harms.test_reporting import FORM

pytestmark = pytest.mark.django_db


def _lookup(client, code, **extra):
    return client.post(reverse("harms:status"), {"code": code}, **extra)


def _api_lookup(api_client, code, **extra):
    return api_client.post(
        "/api/v1/harm-reports/status/", {"receipt_code": code}, format="json", **extra
    )


# --- forwarded headers ---------------------------------------------------------------------


def test_rotating_x_forwarded_for_does_not_reset_the_receipt_limit(client, api_client, settings):
    settings.HARM_STATUS_RATE = "3/hour"
    for n in range(3):
        _lookup(client, f"AAAA-BBBB-CCCC-000{n}")
    refused = [
        _lookup(client, f"AAAA-BBBB-CCCC-1{n:03}", HTTP_X_FORWARDED_FOR=f"203.0.113.{n}")
        for n in range(10)
    ]
    assert {r.status_code for r in refused} == {429}
    api = [
        _api_lookup(api_client, f"AAAA-BBBB-CCCC-2{n:03}", HTTP_X_FORWARDED_FOR=f"198.51.100.{n}")
        for n in range(5)
    ]
    assert {r.status_code for r in api} == {429}


def test_rotating_x_forwarded_for_does_not_reset_the_anonymous_report_limit(client, settings):
    settings.HARM_REPORT_RATE = "2/hour"
    for n in range(5):
        client.post(reverse("harms:report"), FORM, HTTP_X_FORWARDED_FOR=f"203.0.113.{n}")
    assert HarmReport.objects.count() == 2


def test_a_trusted_proxy_names_the_client(client, settings):
    """Behind a configured proxy, each client has its own budget; others cannot pose as one."""
    settings.TRUSTED_PROXIES = ["10.1.0.0/16"]
    settings.HARM_REPORT_RATE = "1/hour"
    proxy = {"REMOTE_ADDR": "10.1.2.3"}
    first = client.post(reverse("harms:report"), FORM, HTTP_X_FORWARDED_FOR="203.0.113.7", **proxy)
    second = client.post(reverse("harms:report"), FORM, HTTP_X_FORWARDED_FOR="203.0.113.8", **proxy)
    again = client.post(reverse("harms:report"), FORM, HTTP_X_FORWARDED_FOR="203.0.113.7", **proxy)
    assert (first.status_code, second.status_code, again.status_code) == (302, 302, 429)
    # A client connecting directly is not a proxy: its header is ignored.
    direct = {"REMOTE_ADDR": "192.0.2.50"}
    assert client.post(reverse("harms:report"), FORM, **direct).status_code == 302
    spoofed = client.post(
        reverse("harms:report"), FORM, HTTP_X_FORWARDED_FOR="203.0.113.99", **direct
    )
    assert spoofed.status_code == 429


def test_num_proxies_takes_the_address_the_proxy_saw(client, settings):
    settings.NUM_PROXIES = 1
    settings.HARM_REPORT_RATE = "1/hour"
    # The client forges a first hop; the proxy appends the address it really saw.
    a = client.post(reverse("harms:report"), FORM, HTTP_X_FORWARDED_FOR="1.1.1.1, 203.0.113.7")
    b = client.post(reverse("harms:report"), FORM, HTTP_X_FORWARDED_FOR="2.2.2.2, 203.0.113.7")
    assert (a.status_code, b.status_code) == (302, 429)


# --- receipt-code budgets ------------------------------------------------------------------


def test_one_receipt_code_has_its_own_budget_from_any_address(client, settings):
    settings.HARM_STATUS_CODE_RATE = "3/hour"
    codes = [
        _lookup(client, "ABCD-EFGH-JKLM-NPQR", REMOTE_ADDR=f"192.0.2.{n}").status_code
        for n in range(5)
    ]
    assert codes[:3] != [429] * 3 and codes[3:] == [429, 429]
    # written differently, it is the same code
    assert _lookup(client, "abcd efgh jklm npqr", REMOTE_ADDR="192.0.2.77").status_code == 429
    assert _lookup(client, "ZZZZ-EFGH-JKLM-NPQR", REMOTE_ADDR="192.0.2.78").status_code != 429


def test_all_receipt_codes_share_a_global_budget(client, api_client, settings):
    settings.HARM_STATUS_GLOBAL_RATE = "4/hour"
    answers = [
        _lookup(client, f"ABCD-EFGH-JKLM-{n:04}", REMOTE_ADDR=f"192.0.2.{n}").status_code
        for n in range(4)
    ]
    assert 429 not in answers
    assert _lookup(client, "ABCD-EFGH-JKLM-9999", REMOTE_ADDR="192.0.2.200").status_code == 429
    assert (
        _api_lookup(api_client, "ABCD-EFGH-JKLM-9998", REMOTE_ADDR="192.0.2.201").status_code == 429
    )


# --- sign-in -------------------------------------------------------------------------------


def _sign_in(client, username, password, address="192.0.2.1"):
    return client.post(
        reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=address
    )


def test_password_spraying_from_one_address_is_stopped(client, settings, password):
    settings.LOGIN_FAILURE_LIMIT = 5
    users = [UserFactory(username=f"user{n}") for n in range(11)]
    answers = [
        _sign_in(client, user.username, "wrong-password").status_code
        for user in users
        for _ in range(4)
    ]
    assert answers.count(429) >= len(answers) - 5
    # even the right password is refused from that address for now
    assert _sign_in(client, "user10", password).status_code == 429
    # another address is not affected for an account that was not attacked
    UserFactory(username="fresh")
    assert _sign_in(client, "fresh", password, address="198.51.100.1").status_code == 302


def test_a_locked_account_stays_locked_from_another_address(client, settings, password, chair):
    settings.LOGIN_FAILURE_LIMIT = 3
    for n in range(3):
        _sign_in(client, chair.username, "wrong", address=f"203.0.113.{n}")
    response = _sign_in(client, chair.username, password, address="198.51.100.20")
    assert response.status_code == 429
    assert "Too many failed sign-in attempts" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_forwarded_headers_do_not_escape_the_sign_in_lockout(client, settings, password, chair):
    settings.LOGIN_FAILURE_LIMIT = 3
    for n in range(6):
        client.post(
            reverse("login"),
            {"username": f"nobody{n}", "password": "wrong"},
            HTTP_X_FORWARDED_FOR=f"203.0.113.{n}",
        )
    response = client.post(reverse("login"), {"username": chair.username, "password": password})
    assert response.status_code == 429


def test_token_endpoint_is_locked_the_same_way(api_client, settings, password, chair):
    settings.LOGIN_FAILURE_LIMIT = 3
    for n in range(3):
        api_client.post(
            "/api/v1/auth/token/",
            {"username": chair.username, "password": "x"},
            REMOTE_ADDR=f"203.0.113.{n}",
        )
    response = api_client.post(
        "/api/v1/auth/token/",
        {"username": chair.username, "password": password},
        REMOTE_ADDR="198.51.100.3",
    )
    assert response.status_code == 429
    assert response.json()["error"]["code"] == "throttled"


def test_a_successful_sign_in_still_works(client, password, researcher):
    assert _sign_in(client, researcher.username, password).status_code == 302
    assert client.session["_auth_user_id"] == str(researcher.pk)
