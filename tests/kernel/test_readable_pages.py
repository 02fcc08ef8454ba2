"""No page shows an internal code, a Python repr or a time without its zone.

The demo data is seeded, every role walks its pages, and the visible text of each page is
scanned: stored codes of every state, kind and source (any choice value with an underscore or
a dot), Python dictionaries and lists, ISO timestamps and clock times with no zone named.
"""

import io
import re
from html import unescape

import pytest
from django.apps import apps
from django.core.management import call_command
from django.test import Client
from django.utils import translation

from solidarity.accounts.demo import DEMO_USERS
from solidarity.accounts.models import User

pytestmark = pytest.mark.django_db

TIME_ZONES = r"(?:CET|CEST|UTC|GMT|[A-Z]{3,4}|[+-]\d{2}:?\d{2})"


def _codes() -> set[str]:
    """Every stored code a person should never read: choice values that look like codes."""
    found = set()
    for model in apps.get_models():
        for field in model._meta.get_fields():
            for value, _label in getattr(field, "choices", None) or []:
                if isinstance(value, str) and re.fullmatch(r"[a-z]+[_.][a-z_.]+", value):
                    found.add(value)
    found |= {"demo_seed", "obligation_report", "harms.redressaction"}
    return found


def _visible(html: str) -> str:
    html = re.sub(r"<(script|style|code|option|select)\b.*?</\1>", " ", html, flags=re.S)
    html = re.sub(r"<[^>]+>", " ", html)
    return unescape(re.sub(r"\s+", " ", html))


def problems(text: str, codes: set[str]) -> list[str]:
    found = []
    for word in re.findall(r"\b[a-z]+(?:[_.][a-z]+)+\b", text):
        if word in codes:
            found.append(f"code {word!r}")
    for rx, why in [
        (r"\{'[^']*':", "a Python dict"),
        (r"\['[^']*'", "a Python list"),
        (r"\b\d{4}-\d{2}-\d{2}T\d{2}:\d{2}", "an ISO time"),
        (r"\b\d{1,2}:\d{2}(?::\d{2})?\b(?!\s*(?:" + TIME_ZONES + r"))", "a time with no zone"),
        (r"\b(?:a\.m\.|p\.m\.)", "a US clock"),
        (r"(?<![\d.,:])-?\d{3,} (?:EUR|CHF|GBP|USD)\b", "an amount in minor units"),
        (r"\b[A-Z]{2,3}-\d+ \(\d+\)", "an internal id pair"),
        (r"\d+ → \d+", "internal ids"),
    ]:
        found += [f"{why}: {m.group(0)!r}" for m in re.finditer(rx, text)]
    return found


def _pages_for(username: str) -> list[str]:
    from applications.models import Application
    from benefits.models import BenefitAgreement
    from harms.models import HarmReport

    apps_ = list(Application.objects.exclude(state="draft").values_list("pk", flat=True))
    pages = ["/", "/notifications/"]
    if username in ("researcher", "researcher2"):
        pages += ["/applications/"] + [
            f"/applications/{pk}/"
            for pk in Application.objects.filter(applicant__username=username).values_list(
                "pk", flat=True
            )
        ]
    if username == "secretariat":
        pages += ["/applications/queue/", "/reviews/committee/"]
        pages += [f"/applications/{pk}/" for pk in apps_]
        pages += [f"/applications/{pk}/versions/" for pk in apps_]
    if username == "chair":
        pages += [f"/reviews/applications/{pk}/committee/" for pk in apps_]
    if username == "custodian":
        pages += ["/applications/requests/"]
    if username == "benefit_officer":
        pages += ["/benefits/", "/benefits/fund/"]
        pages += [
            f"/benefits/agreements/{pk}/"
            for pk in BenefitAgreement.objects.values_list("pk", flat=True)
        ]
    if username == "harm_officer":
        pages += ["/harms/queue/"] + [
            f"/harms/{pk}/" for pk in HarmReport.objects.values_list("pk", flat=True)
        ]
    if username == "auditor":
        pages += ["/audit/", "/auditing/reports/"]
    return pages


@pytest.fixture
def seeded():
    call_command("seed_demo", stdout=io.StringIO())
    return {u.username: u for u in User.objects.all()}


@pytest.mark.parametrize("language", ["en", "de"])
def test_no_page_shows_codes_reprs_or_unnamed_times(seeded, language):
    codes = _codes()
    names = sorted((s["username"] for s in DEMO_USERS), key=len, reverse=True)
    report = {}
    visits = [(None, p) for p in ["/", "/register/", "/harms/report/", "/harms/status/"]]
    from applications.models import Application

    visits += [
        (None, f"/register/{ref}/")
        for ref in Application.objects.filter(state__in=["approved", "active"]).values_list(
            "reference", flat=True
        )
    ]
    for spec in DEMO_USERS:
        visits += [(spec["username"], p) for p in _pages_for(spec["username"])]
    for username, path in visits:
        client = Client(HTTP_ACCEPT_LANGUAGE=language)
        if username:
            client.force_login(seeded[username])
        with translation.override(language):
            response = client.get(path)
        assert response.status_code == 200, (username, path, response.status_code)
        text = _visible(response.content.decode())
        for name in names:  # user names are names, not codes
            text = text.replace(name, "someone")
        found = problems(text, codes)
        if found:
            report[f"{username or 'public'} {path}"] = sorted(set(found))
    assert report == {}
