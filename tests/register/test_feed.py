"""The Atom feed of new and changed register entries."""

import xml.etree.ElementTree as ET
from datetime import timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from applications.models import Application
from harms.models import HarmReport
from tests.factories import DatasetFactory, OrganisationFactory, UserFactory
from tests.register.test_register import _application

ATOM = "{http://www.w3.org/2005/Atom}"


def _world(db, n):
    org = OrganisationFactory(name="Public Health University")
    dataset = DatasetFactory(custodian=OrganisationFactory(name="Registry Trust"), title="Cancer")
    return [_application("active", n=i + 1, dataset=dataset, org=org) for i in range(n)]


def _entries(response):
    root = ET.fromstring(response.content)
    return root, root.findall(f"{ATOM}entry")


def test_feed_lists_register_entries_newest_change_first(db, client):
    apps = _world(db, 3)
    hidden = _application(
        "draft", n=99, dataset=apps[0].dataset_requests.first().dataset, org=apps[0].organisation
    )
    Application.objects.filter(pk=apps[0].pk).update(updated_at=timezone.now() + timedelta(hours=1))
    response = client.get(reverse("register:feed"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    root, entries = _entries(response)
    assert root.find(f"{ATOM}title").text == "Solidarity: public register of data uses"
    titles = [e.find(f"{ATOM}title").text for e in entries]
    assert len(titles) == 3
    assert titles[0] == f"{apps[0].reference}: {apps[0].title}"
    assert not any(hidden.title in t for t in titles)
    first = entries[0]
    assert first.find(f"{ATOM}link").get("href").endswith(f"/register/{apps[0].reference}/")
    assert first.find(f"{ATOM}updated").text.startswith(
        (timezone.now() + timedelta(hours=1)).strftime("%Y-%m-%d")
    )
    summary = first.find(f"{ATOM}summary").text
    assert "Plain words about study 1." in summary and "Cancer: Federated analysis" in summary


def test_register_page_links_the_feed(db, client):
    body = client.get(reverse("register:list")).content.decode()
    assert (
        '<link rel="alternate" type="application/atom+xml" '
        'title="New and changed register entries" href="/register/feed/">' in body
    )


def test_feed_carries_nothing_personal(db, client):
    applicant = UserFactory(
        username="canaryuser",
        first_name="Canaryfirst",
        last_name="Canarylast",
        email="canary.applicant@example.org",
        roles=["researcher"],
    )
    org = OrganisationFactory(name="Public Health University")
    dataset = DatasetFactory(custodian=org, title="Cancer")
    app = _application("active", n=5, dataset=dataset, org=org, applicant=applicant)
    Application.objects.filter(pk=app.pk).update(
        scientific_summary="CanaryScientific",
        commercial_details="CanaryCommercial",
        state_reason="CanaryReason",
        funding="CanaryFunder",
    )
    app.team.create(
        name="Dr Canary Teammate", role="PI", organisation="X", email="canary.team@example.org"
    )
    reporter = UserFactory(username="canaryreporter", first_name="Canaryreporter")
    now = timezone.now()
    report = HarmReport.objects.create(
        reporter=reporter,
        contact_ciphertext="CanaryContactToken",
        what_happened="CanaryWhatHappened",
        occurred_when="spring",
        affected="self",
        categories=["privacy_breach"],
        acknowledge_due=now,
        triage_due=now,
        decision_due=now,
    )
    report.applications.add(app)
    text = client.get(reverse("register:feed")).content.decode()
    assert app.reference in text
    assert "canary" not in text.lower()
    assert "example.org" not in text


def test_feed_runs_a_fixed_number_of_queries(db, client):
    _world(db, 1)
    with CaptureQueriesContext(connection) as one:
        assert client.get(reverse("register:feed")).status_code == 200
    Application.objects.all().delete()
    org = OrganisationFactory(name="Another University")
    dataset = DatasetFactory(custodian=org, title="Other data")
    for i in range(30):
        _application("approved", n=100 + i, dataset=dataset, org=org)
    with CaptureQueriesContext(connection) as many:
        response = client.get(reverse("register:feed"))
    assert len(_entries(response)[1]) == 30
    assert len(many) == len(one)
