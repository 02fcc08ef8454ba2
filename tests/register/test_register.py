import csv
import io

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from applications.models import Application, ApplicationState, DatasetRequest
from tests.factories import DatasetFactory, OrganisationFactory, UserFactory


@pytest.fixture
def applicant_org(db):
    return OrganisationFactory(name="Public Health University")


@pytest.fixture
def registry(organisation):
    return DatasetFactory(custodian=organisation, title="Cancer registry")


def _application(state, *, n, dataset, org, applicant=None, **fields):
    applicant = applicant or UserFactory(
        username=f"applicant{n}", first_name="Zelda", last_name="Secretname", roles=["researcher"]
    )
    app = Application.objects.create(
        applicant=applicant,
        organisation=org,
        title=fields.pop("title", f"Study {n}"),
        lay_summary=fields.pop("lay_summary", f"Plain words about study {n}."),
        public_benefit="Better screening for everyone.",
        state=state,
        reference=None if state == ApplicationState.DRAFT else f"DSA-2026-{n:04d}",
        decided_at=timezone.now() if state in ("approved", "active", "closed") else None,
        **fields,
    )
    DatasetRequest.objects.create(application=app, dataset=dataset, access_mode="federated")
    return app


def test_register_lists_decided_projects_only(client, registry, applicant_org):
    shown = {
        s: _application(s, n=i, dataset=registry, org=applicant_org)
        for i, s in enumerate(["approved", "active", "suspended", "revoked", "closed"], start=1)
    }
    hidden = {
        s: _application(s, n=i, dataset=registry, org=applicant_org)
        for i, s in enumerate(
            ["draft", "submitted", "in_review", "awaiting_decision", "withdrawn", "rejected"],
            start=10,
        )
    }
    body = client.get(reverse("register:list")).content.decode()
    for app in shown.values():
        assert app.reference in body
    for app in hidden.values():
        assert app.title not in body
        if app.reference:
            assert client.get(reverse("register:detail", args=[app.reference])).status_code == 404


def test_register_carries_no_personal_data(client, researcher, registry, applicant_org):
    researcher.email = "alice.private@example.org"
    researcher.save()
    app = _application("active", n=1, dataset=registry, org=applicant_org, applicant=researcher)
    app.team.create(
        name="Dr Hidden Person", role="PI", organisation="X", email="hidden@example.org"
    )
    pages = [
        client.get(reverse("register:list")).content.decode(),
        client.get(reverse("register:detail", args=[app.reference])).content.decode(),
        client.get(reverse("register:csv")).content.decode(),
        client.get(reverse("register:json")).content.decode(),
    ]
    for text in pages:
        assert "alice" not in text
        assert "Hidden Person" not in text
        assert "example.org" not in text
    assert "Public Health University" in pages[1]
    assert "Cancer registry" in pages[1]


def test_register_detail_has_a_stable_url_and_the_facts(client, registry, applicant_org):
    app = _application(
        "active", n=7, dataset=registry, org=applicant_org, commercial_involvement=True
    )
    response = client.get(f"/register/{app.reference}/")
    assert response.status_code == 200
    body = response.content.decode()
    assert app.title in body
    assert "Plain words about study 7." in body
    assert "Better screening for everyone." in body
    assert "Federated analysis" in body
    assert "Vienna General Hospital" in body


def test_register_search_and_filters(client, registry, applicant_org, organisation):
    other = DatasetFactory(custodian=OrganisationFactory(name="Elsewhere"), title="Other data")
    a = _application("active", n=1, dataset=registry, org=applicant_org, title="Diabetes risk")
    b = _application("closed", n=2, dataset=other, org=applicant_org, title="Asthma map")
    url = reverse("register:list")
    body = client.get(url, {"q": "diabetes"}).content.decode()
    assert a.reference in body and b.reference not in body
    body = client.get(url, {"state": "closed"}).content.decode()
    assert b.reference in body and a.reference not in body
    body = client.get(url, {"dataset": str(other.pk)}).content.decode()
    assert b.reference in body and a.reference not in body
    body = client.get(url, {"custodian": organisation.slug}).content.decode()
    assert a.reference in body and b.reference not in body
    body = client.get(url, {"year": str(timezone.now().year)}).content.decode()
    assert a.reference in body and b.reference in body


def test_register_downloads_as_csv_and_json(client, registry, applicant_org):
    app = _application("active", n=3, dataset=registry, org=applicant_org)
    response = client.get(reverse("register:csv"))
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert rows[0]["reference"] == app.reference
    assert rows[0]["datasets"] == "Cancer registry"
    data = client.get(reverse("register:json")).json()
    assert data["entries"][0]["reference"] == app.reference
    assert data["entries"][0]["datasets"][0]["access_mode"] == "federated"
    schema = client.get(reverse("register:schema")).json()
    assert "reference" in schema["properties"]["entries"]["items"]["properties"]


@pytest.mark.parametrize("rows", [1, 50])
def test_register_page_runs_a_fixed_number_of_queries(
    client, registry, applicant_org, django_assert_num_queries, rows
):
    for i in range(rows):
        _application("active", n=i + 1, dataset=registry, org=applicant_org)
    client.get(reverse("register:list"))
    cache.clear()  # the page as built when the register has changed
    with django_assert_num_queries(QUERIES):
        assert client.get(reverse("register:list")).status_code == 200
    with django_assert_num_queries(1):  # unchanged: the audit chain's tip only
        assert client.get(reverse("register:list")).status_code == 200


# The same for 1 and 50 rows: one for the committee decisions, one for the tip, one read of
# the catalogue for the filter, and four for the harm statistics protected as one family
# (their version, two grouped counts, the counts per dataset; which projects use each named
# dataset is read only while a project's total is withheld).
QUERIES = 12


def test_register_shows_the_committee_type_and_why(
    client, researcher, secretariat, reviewer, organisation, chair
):
    from reviews import services as review_services
    from tests.reviews import factories as review_factories

    framework = review_services.framework_loaded(review_services.framework_ensure_default().pk)
    dataset = DatasetFactory(custodian=organisation, title="Diabetes records")
    app = review_factories.in_review(researcher, secretariat, datasets=[dataset])
    review_factories.file_review(review_factories.assign(app, secretariat, reviewer), framework)
    Application.objects.filter(pk=app.pk).update(state="active", decided_at=timezone.now())
    body = client.get(reverse("register:detail", args=[app.reference])).content.decode()
    assert "Mean of 1 reviewers" in body
    assert (
        client.get(reverse("register:list"), {"use_type": "A"})
        .content.decode()
        .count(app.reference)
    )
    assert (
        app.reference
        not in client.get(reverse("register:list"), {"use_type": "D"}).content.decode()
    )


def test_register_csv_cannot_carry_a_spreadsheet_formula(client, registry, applicant_org):
    _application(
        "active", n=9, dataset=registry, org=applicant_org, title='=HYPERLINK("http://x","click")'
    )
    rows = list(csv.DictReader(io.StringIO(client.get(reverse("register:csv")).content.decode())))
    assert rows[0]["title"].startswith("'=")


def test_register_api_is_public_paginated_and_excludes_undecided(
    api_client, registry, applicant_org
):
    shown = _application("active", n=21, dataset=registry, org=applicant_org)
    hidden = _application("in_review", n=22, dataset=registry, org=applicant_org)
    data = api_client.get("/api/v1/register/").json()
    assert [e["reference"] for e in data["results"]] == [shown.reference]
    assert data["count"] == 1
    entry = api_client.get(f"/api/v1/register/{shown.reference}/").json()
    assert entry["datasets"][0]["title"] == "Cancer registry"
    assert api_client.get(f"/api/v1/register/{hidden.reference}/").status_code == 404
    assert api_client.get("/api/v1/register/", {"year": "x", "dataset": "²"}).status_code == 200


@pytest.mark.parametrize("rows", [1, 50])
def test_register_api_runs_a_fixed_number_of_queries(
    api_client, registry, applicant_org, django_assert_num_queries, rows
):
    for i in range(rows):
        _application("active", n=100 + i, dataset=registry, org=applicant_org)
    api_client.get("/api/v1/register/")
    cache.clear()  # the page as built when the register has changed
    with django_assert_num_queries(API_QUERIES):
        assert api_client.get("/api/v1/register/").status_code == 200
    with django_assert_num_queries(1):  # unchanged: the audit chain's tip only
        assert api_client.get("/api/v1/register/").status_code == 200


API_QUERIES = 9  # with the committee decisions and the audit chain's tip
