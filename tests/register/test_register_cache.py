"""The register's pages and API are cached against the audit chain's tip: a change made through
the services shows on the very next request, languages and readers never mix, and an anonymous
reader's unchanged copy is answered with 304 (issue 11)."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from solidarity.audit.models import QUIET_FOR_PUBLIC, AuditEvent
from solidarity.catalog import services as catalog_services
from tests.applications import factories as application_factories
from tests.factories import DatasetFactory
from tests.harms.factories import make_report

pytestmark = pytest.mark.django_db

LIST = "/register/"
API = "/api/v1/register/"


@pytest.fixture
def dataset(organisation):
    return DatasetFactory(custodian=organisation, title="Cancer registry")


@pytest.fixture
def project(researcher, secretariat, chair, dataset):
    return application_factories.approved(researcher, secretariat, chair, datasets=[dataset])


def _page(client, path=LIST, **extra):
    response = client.get(path, **extra)
    assert response.status_code == 200
    return response.content.decode()


def test_a_change_through_the_services_shows_on_the_next_request(
    client, api_client, project, dataset, custodian
):
    detail = reverse("register:detail", args=[project.reference])
    api_detail = f"{API}{project.reference}/"
    assert "Cancer registry" in _page(client)
    assert "Cancer registry" in _page(client, detail)
    assert api_client.get(API).json()["results"][0]["datasets"][0]["title"] == "Cancer registry"
    assert api_client.get(api_detail).json()["title"] == project.title

    catalog_services.dataset_update(actor=custodian, dataset=dataset, title="Tumour registry")

    page = _page(client)
    assert "Tumour registry" in page
    assert "Cancer registry" not in page
    assert "Tumour registry" in _page(client, detail)
    assert api_client.get(API).json()["results"][0]["datasets"][0]["title"] == "Tumour registry"
    assert api_client.get(api_detail).json()["datasets"][0]["title"] == "Tumour registry"


def test_a_new_entry_shows_on_the_next_request(
    client, api_client, project, researcher, secretariat, chair, dataset
):
    assert project.reference in _page(client)
    assert api_client.get(API).json()["count"] == 1
    second = application_factories.approved(researcher, secretariat, chair, datasets=[dataset])
    assert second.reference in _page(client)
    assert api_client.get(API).json()["count"] == 2


def test_an_unchanged_register_costs_one_query(client, api_client, project):
    for path, get in ((LIST, client.get), (API, api_client.get)):
        get(path)
        with CaptureQueriesContext(connection) as ctx:
            assert get(path).status_code == 200
        assert len(ctx.captured_queries) == 1, path  # the audit chain's tip


def test_a_rename_in_the_admin_is_audited_and_shows_on_the_next_request(
    client, project, organisation
):
    from solidarity.accounts.models import User

    admin = User.objects.create_superuser("root", "root@example.org", "x")
    assert organisation.name in _page(client)
    staff = type(client)()
    staff.force_login(admin)
    url = reverse("admin:catalog_organisation_change", args=[organisation.pk])
    form = {"name": "Renamed Custodian Trust", "slug": organisation.slug, "country": "AT"}
    form["kind"] = organisation.kind
    response = staff.post(url, form)
    assert response.status_code == 302, response.content.decode()[:2000]
    event = AuditEvent.objects.order_by("-id").first()
    assert (event.action, event.target_id) == ("organisation.admin_change", str(organisation.pk))
    assert "name" in event.payload["changed"]
    assert "Renamed Custodian Trust" in _page(client)


def test_a_harm_report_moves_the_statistics_through_the_disclosure_rule(client, project):
    make_report()
    page = _page(client)
    assert "Harm reports received: fewer than 5." in page
    for _n in range(4):
        make_report()
    page = _page(client)
    assert "Harm reports received: 5." in page
    assert "fewer than 5." not in page.split("Harm reports received:")[1][:20]


def test_languages_never_mix(client, project):
    english = _page(client, HTTP_ACCEPT_LANGUAGE="en")
    german = _page(client, HTTP_ACCEPT_LANGUAGE="de")
    assert "Public register of data uses" in english
    assert "Öffentliches Register der Datennutzungen" in german
    assert "Public register of data uses" not in german
    assert "Public register of data uses" in _page(client, HTTP_ACCEPT_LANGUAGE="en")
    en = client.get(API, headers={"accept-language": "en"}).json()["results"][0]["state_label"]
    de = client.get(API, headers={"accept-language": "de"}).json()["results"][0]["state_label"]
    assert en != de


def test_filters_and_pages_are_cached_apart(client, project):
    assert project.reference in _page(client, f"{LIST}?state=approved")
    assert project.reference not in _page(client, f"{LIST}?state=closed")
    assert project.reference in _page(client, f"{LIST}?state=approved")


def test_a_signed_in_readers_page_is_never_served_to_the_public(client, project, researcher):
    signed_in = type(client)()
    signed_in.force_login(researcher)
    theirs = signed_in.get(LIST)
    assert str(researcher) in theirs.content.decode()
    assert "ETag" not in theirs
    assert "no-store" in theirs["Cache-Control"]
    public = _page(client)
    assert str(researcher) not in public
    assert "Sign out" not in public
    assert "Sign in" in public
    assert project.reference in public
    # and the public's page is not served to the signed-in reader
    again = signed_in.get(LIST).content.decode()
    assert "Sign out" in again
    assert str(researcher) in again


@pytest.mark.parametrize("path", [LIST, API])
def test_an_unchanged_register_answers_a_conditional_get_with_304(
    client, project, dataset, custodian, path
):
    first = client.get(path)
    assert first.status_code == 200
    etag, modified = first["ETag"], first["Last-Modified"]
    assert "no-cache" in first["Cache-Control"]
    assert client.get(path, headers={"if-none-match": etag}).status_code == 304
    assert client.get(path, headers={"if-modified-since": modified}).status_code == 304
    # another language or another query is another copy
    other = client.get(path, headers={"if-none-match": etag, "accept-language": "de"})
    assert other.status_code == 200
    assert client.get(f"{path}?page=1", headers={"if-none-match": etag}).status_code == 200

    catalog_services.dataset_update(actor=custodian, dataset=dataset, title="Tumour registry")
    changed = client.get(path, headers={"if-none-match": etag})
    assert changed.status_code == 200
    assert changed["ETag"] != etag


def test_the_register_is_read_again_on_a_new_day(client, project, monkeypatch):
    first = client.get(LIST)
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: tomorrow)
    later = client.get(LIST, headers={"if-none-match": first["ETag"]})
    assert later.status_code == 200
    assert later["ETag"] != first["ETag"]


def test_an_unknown_entry_stays_not_found(client, api_client):
    assert client.get(reverse("register:detail", args=["DSA-2026-999999"])).status_code == 404
    assert client.get(reverse("register:detail", args=["DSA-2026-999999"])).status_code == 404
    assert api_client.get(f"{API}DSA-2026-999999/").status_code == 404
    assert api_client.get(f"{API}DSA-2026-999999/").status_code == 404


def test_sign_ins_do_not_throw_the_cached_register_away(api_client, project, researcher, password):
    """Sign-ins are audited, and frequent; they change nothing the register shows, so the
    register's cache key skips them (``audit.models.QUIET_FOR_PUBLIC``)."""
    from django.test import Client

    api_client.get(API)
    visitor = Client()
    failed = visitor.post(reverse("login"), {"username": researcher.username, "password": "nope"})
    assert failed.status_code == 200  # the form again, with its error
    assert (
        visitor.post(
            reverse("login"), {"username": researcher.username, "password": password}
        ).status_code
        == 302
    )
    assert AuditEvent.objects.filter(action__startswith="auth.").count() >= 2
    with CaptureQueriesContext(connection) as ctx:
        assert api_client.get(API).status_code == 200
    assert len(ctx.captured_queries) == 1  # still the cached copy


def test_the_register_tip_is_read_from_its_partial_index(project):
    """The tip's condition is the index's own (``audit.models.SEEN_BY_PUBLIC``): PostgreSQL
    answers it from ``audit_public_tip_idx`` when the newest events are quiet ones, as in
    production where sign-ins outnumber every other action (a backward walk of the primary
    key would step over all of them)."""
    if connection.vendor != "postgresql":
        pytest.skip("partial index plans are PostgreSQL's")
    now = timezone.now()
    AuditEvent.objects.bulk_create(
        AuditEvent(
            created_at=now,
            action=f"{QUIET_FOR_PUBLIC[n % len(QUIET_FOR_PUBLIC)]}login",
            prev_hash=f"{n:064x}",
            hash=f"{n + 1:064x}",
        )
        for n in range(3000)
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE audit_auditevent")
        plan = AuditEvent.objects.governed().order_by("-id").values_list("hash")[:1].explain()
    assert "audit_public_tip_idx" in plan
