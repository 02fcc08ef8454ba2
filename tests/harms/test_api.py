import pytest

from harms import crypto, services
from harms.models import HarmReport, RedressAction
from solidarity.audit.models import AuditEvent

from .conftest import requires_fund
from .factories import make_application, make_report

pytestmark = pytest.mark.django_db

URL = "/api/v1/harm-reports/"
STATUS = "/api/v1/harm-reports/status/"
REDRESS = "/api/v1/redress-actions/"

PAYLOAD = {
    "what_happened": "A chatbot trained on clinic data repeated my symptoms to my employer.",
    "occurred_when": "2026-02",
    "affected": "self",
    "categories": ["privacy_breach", "psychological"],
    "contact_email": "eve@example.org",
}


def test_anonymous_create_returns_the_receipt_code_once(api_client):
    response = api_client.post(URL, PAYLOAD, format="json")
    assert response.status_code == 201
    code = response.json()["receipt_code"]
    report = HarmReport.objects.get(pk=response.json()["id"])
    assert report.receipt_hash == crypto.receipt_hash(code)
    assert code not in str(HarmReport.objects.filter(pk=report.pk).values().get())
    status = api_client.post(STATUS, {"receipt_code": code}, format="json")
    assert status.status_code == 200
    body = status.json()
    assert body["state"] == "received" and "receipt_code" not in body
    assert body["next_step"] and body["next_due"]


def test_signed_in_create_has_no_code(api_client, researcher):
    api_client.force_authenticate(researcher)
    response = api_client.post(URL, PAYLOAD, format="json")
    assert response.status_code == 201 and response.json()["receipt_code"] is None
    assert HarmReport.objects.get().reporter == researcher


def test_create_links_a_project_by_reference(api_client, researcher):
    project = make_application(researcher, reference="DSA-2026-0500")
    response = api_client.post(URL, {**PAYLOAD, "project": "DSA-2026-0500"}, format="json")
    report = HarmReport.objects.get(pk=response.json()["id"])
    assert list(report.applications.all()) == [project]


def test_bad_input_answers_400_with_field_messages(api_client):
    response = api_client.post(
        URL, {**PAYLOAD, "categories": ["aliens"], "what_happened": "x" * 5001}, format="json"
    )
    assert response.status_code == 400
    fields = response.json()["error"]["fields"]
    assert "categories" in fields and "what_happened" in fields
    assert not HarmReport.objects.exists()


def test_honeypot_holds_on_the_api(api_client):
    response = api_client.post(URL, {**PAYLOAD, "website": "spam"}, format="json")
    assert response.status_code == 400
    assert not HarmReport.objects.exists()


def test_anonymous_create_is_throttled(api_client, settings):
    settings.HARM_REPORT_RATE = "2/hour"
    assert api_client.post(URL, PAYLOAD, format="json").status_code == 201
    assert api_client.post(URL, PAYLOAD, format="json").status_code == 201
    response = api_client.post(URL, PAYLOAD, format="json")
    assert response.status_code == 429
    assert response.json()["error"]["message"]
    assert HarmReport.objects.count() == 2


def test_wrong_and_missing_codes_answer_alike_and_are_throttled(api_client, settings):
    settings.HARM_STATUS_RATE = "3/hour"
    make_report()
    wrong = api_client.post(STATUS, {"receipt_code": "AAAA-BBBB-CCCC-DDDD"}, format="json")
    missing = api_client.post(STATUS, {"receipt_code": "!!!!"}, format="json")
    assert wrong.status_code == missing.status_code == 404
    assert wrong.json() == missing.json()
    api_client.post(STATUS, {"receipt_code": "AAAA-BBBB-CCCC-DDDE"}, format="json")
    assert (
        api_client.post(STATUS, {"receipt_code": "AAAA-BBBB-CCCC-DDDF"}, format="json").status_code
        == 429
    )


def test_reporter_status_never_shows_internal_notes(api_client, harm_officer):
    report, code = make_report()
    services.harm_message_post(actor=harm_officer, report=report, body="internal x", internal=True)
    services.harm_message_post(actor=harm_officer, report=report, body="to you")
    body = api_client.post(STATUS, {"receipt_code": code}, format="json").json()
    assert [m["body"] for m in body["messages"]] == ["to you"]
    assert "internal x" not in str(body) and harm_officer.username not in str(body)


def test_officer_lists_and_acts(api_client, harm_officer, researcher):
    report, _ = make_report(contact={"email": "dana@example.org"})
    project = make_application(researcher)
    api_client.force_authenticate(harm_officer)
    listing = api_client.get(URL).json()
    assert listing["results"][0]["contact"] == {"email": "dana@example.org"}
    triage = api_client.post(
        f"{URL}{report.pk}/triage/",
        {"severity": "moderate", "applications": [project.pk]},
        format="json",
    )
    assert triage.status_code == 200 and triage.json()["state"] == "triaged"
    assert api_client.post(f"{URL}{report.pk}/investigate/", {}, format="json").status_code == 200
    offer = api_client.post(
        f"{URL}{report.pk}/offer-redress/",
        {"kind": "apology", "description": "A letter from the project lead."},
        format="json",
    )
    assert offer.status_code == 201
    again = api_client.post(f"{URL}{report.pk}/investigate/", {}, format="json")
    assert again.status_code == 409
    action_id = offer.json()["id"]
    assert api_client.post(f"{REDRESS}{action_id}/accept/", {}, format="json").status_code == 200
    assert api_client.post(f"{REDRESS}{action_id}/deliver/", {}, format="json").status_code == 200
    resolved = api_client.post(f"{URL}{report.pk}/resolve/", {"outcome": "Done."}, format="json")
    assert resolved.status_code == 200 and resolved.json()["state"] == "resolved"


def test_close_and_refer_through_the_api(api_client, harm_officer):
    a, _ = make_report()
    b, _ = make_report()
    api_client.force_authenticate(harm_officer)
    r = api_client.post(f"{URL}{a.pk}/close/", {"reasons": "No data use"}, format="json")
    assert r.json()["state"] == "closed_no_action"
    r = api_client.post(
        f"{URL}{b.pk}/refer/", {"reasons": "GDPR", "referred_to": "DSB"}, format="json"
    )
    assert r.json()["state"] == "referred"
    assert (
        api_client.post(f"{URL}{b.pk}/close/", {"reasons": "x"}, format="json").status_code == 409
    )


def test_auditor_sees_everything_but_identity(api_client, auditor, harm_officer):
    report, _ = make_report(contact={"email": "dana@example.org"})
    services.harm_message_post(actor=harm_officer, report=report, body="note", internal=True)
    api_client.force_authenticate(auditor)
    row = api_client.get(URL).json()["results"][0]
    assert row["reporter"] == "withheld" and row["contact"] == "withheld"
    detail = api_client.get(f"{URL}{report.pk}/").json()
    assert detail["contact"] == "withheld"
    assert [m["body"] for m in detail["messages"]] == ["note"]
    assert "dana@example.org" not in str(detail)
    response = api_client.post(f"{URL}{report.pk}/triage/", {"severity": "low"}, format="json")
    assert response.status_code == 403


@pytest.mark.parametrize("who", ["outsider", "custodian", "other_researcher", "chair"])
def test_others_see_no_reports(who, request, api_client, researcher):
    report, _ = make_report(actor=researcher)
    api_client.force_authenticate(request.getfixturevalue(who))
    assert api_client.get(URL).json()["results"] == []
    assert api_client.get(f"{URL}{report.pk}/").status_code == 404
    response = api_client.post(f"{URL}{report.pk}/triage/", {"severity": "low"}, format="json")
    assert response.status_code == 404
    assert api_client.get(REDRESS).json()["results"] == []


def test_anonymous_cannot_list(api_client):
    make_report()
    assert api_client.get(URL).status_code in (401, 403)


def test_signed_in_reporter_lists_own_reports_without_notes(api_client, researcher, harm_officer):
    report, _ = make_report(actor=researcher)
    services.harm_message_post(actor=harm_officer, report=report, body="secret", internal=True)
    make_report()
    api_client.force_authenticate(researcher)
    results = api_client.get(URL).json()["results"]
    assert [r["id"] for r in results] == [report.pk]
    assert "secret" not in str(results)


def test_reporter_accepts_redress_with_the_code(api_client, harm_officer):
    report, code = make_report()
    services.harm_report_triage(actor=harm_officer, report=report, severity="low")
    action = services.redress_offer(
        actor=harm_officer, report=report, kind="counselling", description="Sessions"
    )
    wrong = api_client.post(
        f"{REDRESS}{action.pk}/accept/", {"receipt_code": "AAAA"}, format="json"
    )
    assert wrong.status_code == 404
    response = api_client.post(
        f"{REDRESS}{action.pk}/accept/", {"receipt_code": code}, format="json"
    )
    assert response.status_code == 200 and response.json()["state"] == "accepted"
    event = AuditEvent.objects.for_target(action).latest("id")
    assert code not in str(event.payload) and event.actor_label == "reporter (receipt code)"


def test_reporter_messages_and_appeals_with_the_code(api_client, harm_officer):
    report, code = make_report()
    r = api_client.post(
        f"{URL}{report.pk}/message/", {"body": "Any news?", "receipt_code": code}, format="json"
    )
    assert r.status_code == 201
    services.harm_report_close(actor=harm_officer, report=report, reasons="No link")
    r = api_client.post(
        f"{URL}{report.pk}/appeal/",
        {"grounds": "Please look again", "receipt_code": code},
        format="json",
    )
    assert r.status_code == 200 and r.json()["state"] == "investigating"


@pytest.mark.parametrize("rows", [1, 50])
def test_api_list_runs_a_fixed_number_of_queries(
    api_client, harm_officer, django_assert_num_queries, rows
):
    for _ in range(rows):
        make_report(contact={"email": "x@example.org"})
    api_client.force_authenticate(harm_officer)
    api_client.get(URL)
    # count, rows, prefetch projects, prefetch datasets
    with django_assert_num_queries(4):
        assert api_client.get(URL).status_code == 200


@pytest.mark.parametrize("rows", [1, 50])
def test_reporter_api_list_runs_a_fixed_number_of_queries(
    api_client, researcher, harm_officer, django_assert_num_queries, rows
):
    for _ in range(rows):
        report, _ = make_report(actor=researcher)
        services.harm_message_post(actor=harm_officer, report=report, body="hello")
    api_client.force_authenticate(researcher)
    api_client.get(URL)
    # count, rows, then the thread, files, redress, projects, datasets, recommendations
    with django_assert_num_queries(8):
        assert api_client.get(URL).status_code == 200


@pytest.mark.parametrize("rows", [1, 50])
def test_redress_api_list_runs_a_fixed_number_of_queries(
    api_client, harm_officer, django_assert_num_queries, rows
):
    report, _ = make_report()
    services.harm_report_triage(actor=harm_officer, report=report, severity="low")
    for _ in range(rows):
        services.redress_offer(actor=harm_officer, report=report, kind="apology", description="x")
    api_client.force_authenticate(harm_officer)
    api_client.get(REDRESS)
    with django_assert_num_queries(2):  # count, rows
        assert api_client.get(REDRESS).status_code == 200
    assert RedressAction.objects.count() == rows


@requires_fund
def test_financial_redress_through_the_api_moves_the_fund(
    api_client, harm_officer, benefit_officer
):
    from benefits.selectors import fund_balance
    from benefits.services import fund_receive

    fund_receive(actor=benefit_officer, amount_minor=30_00, currency="EUR", reason="Royalties")
    report, _code = make_report()
    services.harm_report_triage(actor=harm_officer, report=report, severity="severe")
    api_client.force_authenticate(harm_officer)
    too_much = api_client.post(
        f"{URL}{report.pk}/offer-redress/",
        {"kind": "financial", "description": "Support", "amount_minor": 50_00},
        format="json",
    )
    assert too_much.status_code == 400
    offer = api_client.post(
        f"{URL}{report.pk}/offer-redress/",
        {"kind": "financial", "description": "Support", "amount_minor": 25_00},
        format="json",
    ).json()
    api_client.post(f"{REDRESS}{offer['id']}/accept/", {}, format="json")
    assert api_client.post(f"{REDRESS}{offer['id']}/deliver/", {}, format="json").status_code == 200
    assert fund_balance(currency="EUR") == 5_00


def test_api_list_names_each_reports_projects_and_datasets_in_their_order(
    api_client, harm_officer, researcher, organisation, django_assert_num_queries
):
    """Several linked projects and datasets per report, linked in no particular order: the
    list gives their ids in the relations' own order (projects newest first, datasets by
    title), as the detail does; a report without links gives none."""
    from tests.factories import DatasetFactory

    datasets = [
        DatasetFactory(custodian=organisation, title=title) for title in ("Zeta", "Alpha", "Mu")
    ]
    projects = [make_application(researcher) for _ in range(3)]
    linked, _code = make_report()
    linked.applications.set([projects[1], projects[0], projects[2]])
    linked.datasets.set([datasets[2], datasets[0], datasets[1]])
    bare, _code = make_report()
    api_client.force_authenticate(harm_officer)
    api_client.get(URL)
    with django_assert_num_queries(4):  # count, rows, the page's projects, its datasets
        rows = {row["id"]: row for row in api_client.get(URL).json()["results"]}
    detail = api_client.get(f"{URL}{linked.pk}/").json()
    assert rows[linked.pk]["applications"] == [p.pk for p in reversed(projects)]
    assert rows[linked.pk]["datasets"] == [datasets[1].pk, datasets[2].pk, datasets[0].pk]
    assert rows[linked.pk]["applications"] == detail["applications"]
    assert rows[linked.pk]["datasets"] == detail["datasets"]
    assert rows[bare.pk]["applications"] == [] and rows[bare.pk]["datasets"] == []


def test_list_rows_answer_each_request_for_its_own_reader(
    api_client, auditor, harm_officer, researcher
):
    """A list serializer's fields are built once per class and copied per request: an
    officer's list, then an auditor's, then the officer's again each read their own
    identity rights (no field keeps the request it was first bound to)."""
    make_report(actor=researcher, contact={"email": "dana@example.org"})
    seen = []
    for user in (harm_officer, auditor, harm_officer):
        api_client.force_authenticate(user)
        row = api_client.get(URL).json()["results"][0]
        seen.append((row["reporter"], row["contact"] == "withheld"))
    assert seen == [
        (researcher.get_username(), False),
        ("withheld", True),
        (researcher.get_username(), False),
    ]
