"""Every registered API route, walked by every role: no 5xx, and no title of an application
the viewer may not see in any rendering (JSON, the browsable API's forms and drop-downs).

The routes come from the URL resolver, so a route added later is walked too.
"""

import re

import pytest
from django.core.management import call_command
from django.urls import URLPattern, URLResolver, get_resolver
from rest_framework.renderers import JSONRenderer
from rest_framework.views import APIView

from applications.models import Application
from solidarity.accounts.models import User
from solidarity.catalog.models import Dataset
from solidarity.renderers import BrowsableAPIRenderer
from tests.applications.factories import complete_draft
from tests.factories import UserFactory

CANARY = "CANARY-unseen-draft-title"
ROLES = [
    "researcher",
    "researcher2",
    "custodian",
    "secretariat",
    "reviewer",
    "chair",
    "harm_officer",
    "benefit_officer",
    "auditor",
    "outsider",
    None,  # anonymous
]


def _walk(patterns, prefix=""):
    for entry in patterns:
        regex = entry.pattern.regex.pattern
        regex = regex.removeprefix("^").removesuffix("\\Z").removesuffix("$")
        if isinstance(entry, URLResolver):
            yield from _walk(entry.url_patterns, prefix + regex)
        elif isinstance(entry, URLPattern):
            yield prefix + regex, entry


def _concrete(regex: str, values: dict[str, str]) -> str | None:
    """A path for a route's regex, each named group filled from ``values``."""
    path = regex
    for name in re.findall(r"\(\?P<(\w+)>", regex):
        if name not in values:
            return None
        value = values[name]
        path = re.sub(rf"\(\?P<{name}>[^)]*\)", lambda _m, v=value: v, path, count=1)
    path = path.replace("/?", "/").replace("\\.", ".").replace("\\-", "-")
    if re.search(r"[\\()\[\]^$*+?]", path):
        return None
    return "/" + path


def api_paths(values: dict[str, str]) -> list[str]:
    paths = []
    for regex, _entry in _walk(get_resolver().url_patterns):
        # The OpenAPI schema takes seconds to build and shows no object; CI validates it.
        if not regex.startswith("api/") or regex.startswith("api/schema"):
            continue
        path = _concrete(regex, values)
        if path is not None and path not in paths:
            paths.append(path)
    return paths


@pytest.fixture
def world(db):
    """The demo world, plus a draft of another researcher whose title must stay unseen."""
    call_command("seed_demo")
    other = UserFactory(username="dora", roles=["researcher"])
    draft = complete_draft(other, datasets=[Dataset.objects.first()], title=CANARY)
    UserFactory(username="outsider", roles=[])
    return draft


@pytest.fixture
def browsable(monkeypatch):
    """The development renderers (DEBUG): JSON and the browsable API."""
    monkeypatch.setattr(APIView, "renderer_classes", [JSONRenderer, BrowsableAPIRenderer])


def _client_for(client, username):
    client.logout()
    if username:
        client.force_login(User.objects.get(username=username))
    return client


def _ids(draft):
    return {
        "pk": str(Application.objects.exclude(pk=draft.pk).order_by("pk").first().pk),
        "reference": Application.objects.filter(reference__startswith="DSA")
        .order_by("pk")[0]
        .reference,
        "format": "json",
    }


def test_every_api_route_answers_without_5xx_with_and_without_a_suffix(client, world):
    values = _ids(world)
    paths = api_paths(values)
    assert len(paths) > 40, paths
    failures = []
    for role in ROLES:
        _client_for(client, role)
        for path in paths:
            stem = path.rstrip("/")
            for url in (path, f"{stem}.json/", f"{stem}.json"):
                status = client.get(url).status_code
                if status >= 500:
                    failures.append((role, url, status))
    assert not failures


def test_every_renderer_format_answers_without_5xx(client, world):
    paths = api_paths(_ids(world))
    failures = []
    for role in ("researcher", "auditor", None):
        _client_for(client, role)
        for path in paths:
            for fmt in ("json", "api", "openapi", "csv"):
                status = client.get(f"{path}?format={fmt}").status_code
                if status >= 500:
                    failures.append((role, path, fmt, status))
    assert not failures


def test_browsable_api_shows_no_title_the_viewer_may_not_see(client, world, browsable):
    """An outsider, researchers and a custodian read every API route as the browsable API;
    the other researcher's draft never appears."""
    paths = api_paths(_ids(world))
    seen = []
    for role in ("outsider", "researcher", "researcher2", "custodian"):
        _client_for(client, role)
        for path in paths:
            response = client.get(f"{path}?format=api")
            assert response.status_code < 500, (role, path)
            if CANARY in response.content.decode():
                seen.append((role, path))
    assert not seen


def test_lists_offer_no_related_drop_downs_of_applications(client, world, browsable):
    """The pages the probe found leaking, named: no <select> of applications at all."""
    _client_for(client, "researcher")
    for path in (
        "/api/v1/dataset-requests/",
        "/api/v1/assessments/",
        "/api/v1/benefit-agreements/",
    ):
        body = client.get(f"{path}?format=api").content.decode()
        assert CANARY not in body
        assert 'name="application"' not in body, path


def test_browsable_api_is_off_outside_development(client, world):
    """Production answers JSON only; the browsable renderer is not offered."""
    from rest_framework.settings import api_settings

    assert [r.format for r in api_settings.DEFAULT_RENDERER_CLASSES] == ["json"]
    _client_for(client, "researcher")
    response = client.get("/api/v1/dataset-requests/", HTTP_ACCEPT="text/html")
    assert response["Content-Type"].startswith("application/json")


def _schema_operations(client):
    schema = client.get("/api/schema/?format=json").json()
    operations = []
    # Literal paths first: "harm-reports/status/" is not "harm-reports/{id}/".
    for template, methods in sorted(schema["paths"].items(), key=lambda t: t[0].count("{")):
        parts = re.split(r"\{[^}]+\}", template)
        pattern = "[^/]+".join(re.escape(part) for part in parts)
        operations.append((re.compile(f"^{pattern}$"), methods))
    return operations


def test_every_status_answered_is_documented_in_the_schema(client, world):
    """The OpenAPI schema documents each status the API answers GETs with, per role."""
    operations = _schema_operations(client)
    undocumented, checked = [], set()
    for role in ("researcher", "outsider", None):
        _client_for(client, role)
        for path in api_paths(_ids(world)):
            found = next((m for rx, m in operations if rx.match(path)), None)
            if found is None or "get" not in found:
                continue
            status = client.get(path).status_code
            checked.add(path)
            if str(status) not in found["get"]["responses"]:
                undocumented.append((role, path, status))
    assert len(checked) > 30
    assert not undocumented
