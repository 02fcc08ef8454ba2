"""Input no view can store is refused with a 400 everywhere, never a 500: NUL bytes in a query
string or form field, non-object JSON bodies, non-ASCII digits in money, absurd due dates;
and API errors keep their JSON shape while the database is down."""

import json
import re

import pytest
from django.db import OperationalError
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from rest_framework.authtoken.models import Token

pytestmark = pytest.mark.django_db

NUL_QUERY = "&".join(
    f"{name}=a%00b"
    for name in (
        "q",
        "search",
        "state",
        "custodian",
        "actor",
        "action",
        "target",
        "project_search",
        "l-project_search",
        "page",
    )
)
NON_OBJECTS = ["[null,null]", "null", '"x"', "1", "[]"]


def _paths():
    """Every route of the site, with 1 for an id and "x" for any other path argument."""

    def walk(resolver, prefix=""):
        for entry in resolver.url_patterns:
            pattern = prefix + str(entry.pattern)
            if isinstance(entry, URLResolver):
                yield from walk(entry, pattern)
            elif isinstance(entry, URLPattern):
                yield pattern

    seen = set()
    for pattern in walk(get_resolver()):
        if pattern.startswith("^") or "(?P" in pattern or "admin/" in pattern:
            continue  # format-suffix and admin regex routes: the plain route covers them
        path = "/" + re.sub(r"<int:\w+>", "1", pattern)
        path = re.sub(r"<(?:\w+:)?\w+>", "x", path)
        if path not in seen:
            seen.add(path)
            yield path


PATHS = sorted(_paths())
API_PATHS = [p for p in PATHS if p.startswith("/api/")]


def _check(response, path):
    assert response.status_code == 400, (path, response.status_code)
    if path.startswith("/api/"):
        assert response.json()["error"]["code"] == "invalid", path
    else:
        assert response["Content-Type"].startswith("text/html"), path


@pytest.fixture
def signed_in(researcher):
    client = Client(raise_request_exception=False)
    client.force_login(researcher)
    return client


def test_nul_bytes_in_any_query_string_answer_400(signed_in):
    anonymous = Client(raise_request_exception=False)
    for path in PATHS:
        for client in (signed_in, anonymous):
            _check(client.get(f"{path}?{NUL_QUERY}"), path)


def test_nul_bytes_in_any_form_field_answer_400(signed_in):
    for path in PATHS:
        _check(signed_in.post(path, {"title": "a\x00b", "reason": "fine"}), path)


def test_nul_bytes_in_json_strings_answer_400(signed_in):
    for path in API_PATHS:
        response = signed_in.post(
            path, json.dumps({"search": "a\x00b"}), content_type="application/json"
        )
        _check(response, path)


def test_non_object_json_bodies_answer_400_on_every_api_write(signed_in):
    anonymous = Client(raise_request_exception=False)
    for path in API_PATHS:
        for body in NON_OBJECTS:
            for client in (signed_in, anonymous):
                for method in (client.post, client.put, client.patch):
                    _check(method(path, body, content_type="application/json"), path)


def test_token_endpoint_answers_400_to_non_object_bodies():
    client = Client(raise_request_exception=False)
    for body in NON_OBJECTS:
        response = client.post(reverse("api-token"), body, content_type="application/json")
        assert response.status_code == 400
        assert response.json()["error"]["message"]


def test_named_searches_from_the_issue(signed_in, auditor):
    auditor_client = Client(raise_request_exception=False)
    auditor_client.force_login(auditor)
    for client, url in [
        (signed_in, "/api/v1/register/?search=a%00b"),
        (signed_in, "/api/v1/register/?state=a%00b"),
        (signed_in, "/api/v1/register/?custodian=a%00b"),
        (signed_in, "/benefits/?q=a%00b"),
        (auditor_client, "/audit/?actor=a%00b"),
        (auditor_client, "/audit/?action=a%00b"),
        (auditor_client, "/audit/?target=a%00b"),
        (signed_in, "/harms/report/?l-project_search=a%00b"),
    ]:
        _check(client.get(url), url.split("?")[0])


def test_api_errors_stay_json_while_the_database_is_down(researcher, monkeypatch):
    token = Token.objects.create(user=researcher)
    client = Client(raise_request_exception=False, HTTP_AUTHORIZATION=f"Token {token.key}")

    def down(self, *args, **kwargs):
        raise OperationalError("connection refused")

    with monkeypatch.context() as patch:
        patch.setattr("django.db.backends.base.base.BaseDatabaseWrapper.ensure_connection", down)
        for url in ("/api/v1/applications/", "/api/v1/register/", "/api/v1/no-such-thing/"):
            response = client.get(url)
            assert response.status_code >= 400, url
            assert response["Content-Type"] == "application/json", url
            assert response.json()["error"]["message"], url
