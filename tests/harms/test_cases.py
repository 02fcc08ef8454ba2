"""Harm cases through the API and the HTML pages: owners, hand-overs, incidents."""

import pytest

from harms.models import HarmReport
from solidarity.accounts.roles import Role
from solidarity.audit.models import AuditEvent
from solidarity.notifications.models import Notification

from ..factories import UserFactory
from .factories import make_report


@pytest.fixture
def colleague(db):
    return UserFactory(username="hugo", roles=[Role.HARM_OFFICER])


@pytest.fixture
def two_reports(db, researcher):
    signed_in, _ = make_report(researcher, what_happened="My employer learned my diagnosis.")
    anonymous, _ = make_report(
        contact={"name": "Dana Secret", "email": "dana@example.org", "phone": ""},
        what_happened="A leaked list named my clinic visits.",
    )
    return signed_in, anonymous


# Ownership and hand-overs


def test_officer_assigns_then_hands_over_with_history_audit_and_notice(
    api_client, harm_officer, colleague, report
):
    api_client.force_login(harm_officer)
    first = api_client.post(
        f"/api/v1/harm-reports/{report.pk}/assign-owner/", {"owner": harm_officer.pk}
    )
    assert first.status_code == 200, first.content
    assert first.json()["owner"] == "hana"

    second = api_client.post(
        f"/api/v1/harm-reports/{report.pk}/assign-owner/",
        {"owner": colleague.pk, "note": "You know this hospital."},
    )
    assert second.status_code == 200, second.content
    body = second.json()
    assert body["owner"] == "hugo"
    assert [(h["from_officer"], h["to_officer"]) for h in body["handovers"]] == [
        (None, "hana"),
        ("hana", "hugo"),
    ]
    report.refresh_from_db()
    assert report.owner == colleague
    events = AuditEvent.objects.filter(action="harm_report.assign_owner").order_by("id")
    assert [e.payload["to_officer"] for e in events] == [harm_officer.pk, colleague.pk]
    assert events.last().actor == harm_officer
    notice = Notification.objects.get(recipient=colleague, kind="harm_report.handover")
    assert notice.url == f"/harms/{report.pk}/"
    assert "You know this hospital." in notice.body


def test_case_cannot_be_handed_to_someone_who_is_not_a_harm_officer(
    api_client, harm_officer, auditor, report
):
    api_client.force_login(harm_officer)
    response = api_client.post(
        f"/api/v1/harm-reports/{report.pk}/assign-owner/", {"owner": auditor.pk}
    )
    assert response.status_code == 400
    report.refresh_from_db()
    assert report.owner is None
    assert not report.handovers.exists()
    assert not AuditEvent.objects.filter(action="harm_report.assign_owner").exists()


def test_handing_to_the_current_owner_is_refused(api_client, harm_officer, report):
    api_client.force_login(harm_officer)
    url = f"/api/v1/harm-reports/{report.pk}/assign-owner/"
    assert api_client.post(url, {"owner": harm_officer.pk}).status_code == 200
    assert api_client.post(url, {"owner": harm_officer.pk}).status_code == 409
    assert report.handovers.count() == 1


@pytest.mark.parametrize("who", ["researcher", "auditor", "chair", "secretariat", "outsider"])
def test_other_roles_cannot_assign_or_see_cases(request, api_client, harm_officer, report, who):
    api_client.force_login(request.getfixturevalue(who))
    url = f"/api/v1/harm-reports/{report.pk}/assign-owner/"
    assert api_client.post(url, {"owner": harm_officer.pk}).status_code == 403
    assert api_client.get(f"/api/v1/harm-reports/{report.pk}/case/").status_code == 403
    assert api_client.get("/api/v1/incidents/").status_code == 403
    report.refresh_from_db()
    assert report.owner is None


def test_the_reporter_cannot_assign_their_own_report(api_client, researcher, harm_officer):
    mine, _ = make_report(researcher)
    api_client.force_login(researcher)
    response = api_client.post(
        f"/api/v1/harm-reports/{mine.pk}/assign-owner/", {"owner": harm_officer.pk}
    )
    assert response.status_code == 403


def test_anonymous_cannot_assign(api_client, harm_officer, report):
    response = api_client.post(
        f"/api/v1/harm-reports/{report.pk}/assign-owner/", {"owner": harm_officer.pk}
    )
    assert response.status_code in (401, 403)


def test_unknown_report_or_owner_is_404(api_client, harm_officer, report):
    api_client.force_login(harm_officer)
    assert (
        api_client.post("/api/v1/harm-reports/999999/assign-owner/", {"owner": 1}).status_code
        == 404
    )
    url = f"/api/v1/harm-reports/{report.pk}/assign-owner/"
    assert api_client.post(url, {"owner": 999999}).status_code == 404
    assert api_client.post(url, {"owner": "x"}).status_code == 400


# Incidents


def test_officer_links_two_reports_into_an_incident_each_keeps_its_reporter(
    api_client, harm_officer, researcher, two_reports
):
    a, b = two_reports
    api_client.force_login(harm_officer)
    response = api_client.post(
        "/api/v1/incidents/",
        {"title": "Clinic list leak", "reports": [a.pk, b.pk]},
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert [r["id"] for r in body["reports"]] == [a.pk, b.pk]
    text = response.content.decode()
    assert "Dana Secret" not in text and "dana@example.org" not in text
    assert "alice" not in text
    a.refresh_from_db()
    b.refresh_from_db()
    assert a.incident_id == b.incident_id == body["id"]
    assert a.reporter == researcher and b.reporter is None
    event = AuditEvent.objects.get(action="harm_incident.create")
    assert event.payload == {"reports": [a.pk, b.pk]}

    # The reporter still follows their own report, which says nothing of the other one.
    api_client.force_login(researcher)
    own = api_client.get(f"/api/v1/harm-reports/{a.pk}/")
    assert own.status_code == 200
    assert "leaked list" not in own.content.decode()
    assert api_client.get(f"/api/v1/incidents/{body['id']}/").status_code == 403


def test_a_report_cannot_be_in_two_incidents(api_client, harm_officer, two_reports):
    a, b = two_reports
    c, _ = make_report()
    api_client.force_login(harm_officer)
    first = api_client.post(
        "/api/v1/incidents/", {"title": "One", "reports": [a.pk, b.pk]}, format="json"
    )
    assert first.status_code == 201
    second = api_client.post(
        "/api/v1/incidents/", {"title": "Two", "reports": [b.pk, c.pk]}, format="json"
    )
    assert second.status_code == 409
    c.refresh_from_db()
    assert c.incident_id is None
    assert AuditEvent.objects.filter(action="harm_incident.create").count() == 1


@pytest.mark.parametrize(
    "payload",
    [
        {"title": "", "reports": [1, 2]},
        {"title": "Only one", "reports": [1]},
        {"title": "Missing", "reports": [1, 999999]},
        {"title": "Not ids", "reports": ["x", "y"]},
    ],
)
def test_bad_incident_input_is_refused_and_nothing_is_saved(
    api_client, harm_officer, two_reports, payload
):
    a, _b = two_reports
    payload = {
        **payload,
        "reports": [a.pk if r == 1 else r for r in payload["reports"]],
    }
    api_client.force_login(harm_officer)
    response = api_client.post("/api/v1/incidents/", payload, format="json")
    assert response.status_code == 400
    assert not HarmReport.objects.filter(incident__isnull=False).exists()


def test_link_and_unlink_a_third_report(api_client, harm_officer, two_reports):
    a, b = two_reports
    c, _ = make_report()
    api_client.force_login(harm_officer)
    incident = api_client.post(
        "/api/v1/incidents/", {"title": "One", "reports": [a.pk, b.pk]}, format="json"
    ).json()
    url = f"/api/v1/incidents/{incident['id']}/"
    linked = api_client.post(url + "link/", {"report": c.pk})
    assert linked.status_code == 200
    assert len(linked.json()["reports"]) == 3
    assert api_client.post(url + "link/", {"report": c.pk}).status_code == 409
    unlinked = api_client.post(url + "unlink/", {"report": c.pk})
    assert [r["id"] for r in unlinked.json()["reports"]] == [a.pk, b.pk]
    assert api_client.post(url + "unlink/", {"report": c.pk}).status_code == 409
    actions = list(
        AuditEvent.objects.filter(action__startswith="harm_incident.")
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions == ["harm_incident.create", "harm_incident.link", "harm_incident.unlink"]


def test_incident_list_and_detail_have_fixed_query_counts(
    api_client, harm_officer, colleague, django_assert_num_queries
):
    from harms import cases

    def build(n):
        reports = [make_report()[0] for _ in range(n)]
        for r in reports:
            cases.harm_report_assign_owner(actor=harm_officer, report=r, owner=colleague)
        return cases.harm_incident_create(
            actor=harm_officer, title=f"{n}", report_ids=[r.pk for r in reports]
        )

    small = build(2)
    api_client.force_login(harm_officer)
    api_client.get("/api/v1/incidents/")  # warm the session and role caches
    # The session comes from the cache (solidarity/held_cache.py).
    with django_assert_num_queries(6) as few:
        api_client.get(f"/api/v1/incidents/{small.pk}/")
    big = build(6)
    with django_assert_num_queries(len(few.captured_queries)):
        detail = api_client.get(f"/api/v1/incidents/{big.pk}/")
    assert len(detail.json()["reports"]) == 6
    with django_assert_num_queries(4) as listing:
        api_client.get("/api/v1/incidents/")
    build(3)
    with django_assert_num_queries(len(listing.captured_queries)):
        api_client.get("/api/v1/incidents/")


# HTML


def test_report_page_shows_case_box_and_hands_over(client, harm_officer, colleague, report):
    client.force_login(harm_officer)
    page = client.get(f"/harms/{report.pk}/")
    assert page.status_code == 200
    assert b'id="case"' in page.content
    response = client.post(
        f"/harms/{report.pk}/assign-owner/",
        {"case-owner": colleague.pk, "case-note": "Over to you"},
    )
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.owner == colleague
    page = client.get(f"/harms/{report.pk}/")
    assert "Over to you" in page.content.decode()


def test_html_links_two_reports_and_shows_them_side_by_side(client, harm_officer, two_reports):
    a, b = two_reports
    client.force_login(harm_officer)
    response = client.post(
        f"/harms/{a.pk}/incident/",
        {"incident-other_report": b.pk, "incident-title": "Clinic list leak"},
    )
    assert response.status_code == 302
    a.refresh_from_db()
    assert response["Location"] == f"/harms/incidents/{a.incident_id}/"
    page = client.get(response["Location"]).content.decode()
    assert a.reference in page and b.reference in page
    assert "leaked list" in page and "employer learned" in page
    assert "Dana Secret" not in page
    assert client.get("/harms/incidents/").status_code == 200


def test_html_bad_link_form_changes_nothing(client, harm_officer, two_reports):
    a, _b = two_reports
    client.force_login(harm_officer)
    response = client.post(f"/harms/{a.pk}/incident/", {"incident-title": "No partner"})
    assert response.status_code == 302
    response = client.post(
        f"/harms/{a.pk}/incident/",
        {"incident-other_report": 999999, "incident-title": "Nowhere"},
    )
    assert response.status_code == 302
    a.refresh_from_db()
    assert a.incident_id is None


@pytest.mark.parametrize("who", ["researcher", "auditor", "chair", "outsider"])
def test_html_case_pages_refuse_other_roles(request, client, harm_officer, two_reports, who):
    from harms import cases

    a, b = two_reports
    incident = cases.harm_incident_create(actor=harm_officer, title="Leak", report_ids=[a.pk, b.pk])
    client.force_login(request.getfixturevalue(who))
    assert client.get("/harms/incidents/").status_code == 403
    assert client.get(f"/harms/incidents/{incident.pk}/").status_code == 403
    assert (
        client.post(f"/harms/{a.pk}/assign-owner/", {"case-owner": harm_officer.pk}).status_code
        == 403
    )
    assert client.post(f"/harms/incidents/{incident.pk}/unlink/{a.pk}/").status_code == 403
    a.refresh_from_db()
    assert a.owner is None and a.incident_id == incident.pk


def test_auditor_report_page_shows_no_case_box(client, auditor, report):
    client.force_login(auditor)
    page = client.get(f"/harms/{report.pk}/")
    assert page.status_code == 200
    assert b'id="case"' not in page.content
