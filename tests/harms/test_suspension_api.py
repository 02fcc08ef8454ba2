"""The chair's decision on a suspension recommendation through the API (issue 10): one
rulebook (``harms.rules.SUSPENSION``) answers for the HTML, the API and the service."""

import pytest
from django.db import transaction
from django.urls import reverse

from harms import rules, services
from harms.models import SuspensionRecommendation
from solidarity.audit.models import AuditEvent
from solidarity.errors import PermissionDenied, TransitionNotAllowed

pytestmark = pytest.mark.django_db

URL = "/api/v1/suspension-recommendations/"


@pytest.fixture
def rec(report, harm_officer, project):
    services.harm_report_triage(
        actor=harm_officer, report=report, severity="critical", applications=[project]
    )
    return services.harm_report_recommend_suspension(
        actor=harm_officer, report=report, application=project, reason="Re-identification"
    )


def test_the_chair_executes_through_the_api(api_client, rec, chair, project):
    api_client.force_authenticate(chair)
    response = api_client.post(f"{URL}{rec.pk}/execute/", {"reason": "Confirmed"}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["state"] == "executed"
    project.refresh_from_db()
    rec.refresh_from_db()
    assert project.state == "suspended"
    assert rec.state == "executed" and rec.decided_by == chair
    event = AuditEvent.objects.filter(action="harm_report.suspension_executed").latest("id")
    assert (event.from_state, event.to_state) == ("open", "executed")
    assert (event.target_type, event.target_id) == ("harms.suspensionrecommendation", str(rec.pk))
    assert event.payload["recommendation"] == rec.pk and event.payload["report"] == rec.report_id


def test_the_chair_dismisses_with_a_reason(api_client, rec, chair, project):
    api_client.force_authenticate(chair)
    response = api_client.post(f"{URL}{rec.pk}/dismiss/", {"reason": "Fixed"}, format="json")
    assert response.status_code == 200, response.content
    rec.refresh_from_db()
    project.refresh_from_db()
    assert rec.state == "dismissed" and rec.decision_reason == "Fixed"
    assert project.state == "active"


def test_dismissal_without_a_reason_is_a_field_error(api_client, rec, chair):
    api_client.force_authenticate(chair)
    response = api_client.post(f"{URL}{rec.pk}/dismiss/", {"reason": "  "}, format="json")
    assert response.status_code == 400
    assert "reason" in response.json()["error"]["fields"]
    rec.refresh_from_db()
    assert rec.state == "open"


def test_a_decided_recommendation_cannot_be_decided_again(api_client, rec, chair, project):
    api_client.force_authenticate(chair)
    assert api_client.post(f"{URL}{rec.pk}/dismiss/", {"reason": "x"}, format="json").status_code
    for move in ("execute", "dismiss"):
        response = api_client.post(f"{URL}{rec.pk}/{move}/", {"reason": "y"}, format="json")
        assert response.status_code == 409, response.content
    project.refresh_from_db()
    assert project.state == "active"


@pytest.mark.parametrize("who", ["harm_officer", "auditor"])
def test_officers_and_auditors_read_but_may_not_decide(request, api_client, rec, who, project):
    api_client.force_authenticate(request.getfixturevalue(who))
    listed = api_client.get(URL)
    assert listed.status_code == 200
    assert [row["id"] for row in listed.json()["results"]] == [rec.pk]
    assert listed.json()["results"][0]["actions"] == []
    for move in ("execute", "dismiss"):
        response = api_client.post(f"{URL}{rec.pk}/{move}/", {"reason": "x"}, format="json")
        assert response.status_code == 403, response.content
    project.refresh_from_db()
    rec.refresh_from_db()
    assert project.state == "active" and rec.state == "open"


@pytest.mark.parametrize("who", ["outsider", "reviewer", "researcher", "custodian"])
def test_others_see_nothing(request, api_client, rec, who):
    api_client.force_authenticate(request.getfixturevalue(who))
    assert api_client.get(URL).status_code == 403
    for move in ("execute", "dismiss"):
        response = api_client.post(f"{URL}{rec.pk}/{move}/", {"reason": "x"}, format="json")
        assert response.status_code in (403, 404), response.content
    rec.refresh_from_db()
    assert rec.state == "open"


def test_anonymous_is_refused(api_client, rec):
    assert api_client.get(URL).status_code in (401, 403)
    response = api_client.post(f"{URL}{rec.pk}/execute/", {}, format="json")
    assert response.status_code in (401, 403)


def test_the_chair_lists_with_the_rulebook_moves(api_client, rec, chair):
    api_client.force_authenticate(chair)
    row = api_client.get(URL).json()["results"][0]
    assert row["state"] == "open"
    assert row["actions"] == ["dismiss", "execute"]
    assert row["application"]["reference"] == rec.application.reference


def test_the_list_takes_a_fixed_number_of_queries(
    api_client, rec, chair, harm_officer, django_assert_max_num_queries
):
    api_client.force_authenticate(chair)
    with django_assert_max_num_queries(12):
        assert api_client.get(URL).status_code == 200


@pytest.mark.parametrize("state", SuspensionRecommendation.State.values)
@pytest.mark.parametrize("who", ["chair", "harm_officer", "auditor", "outsider"])
def test_html_api_and_rulebook_agree(request, client, api_client, rec, state, who):
    SuspensionRecommendation.objects.filter(pk=rec.pk).update(state=state)
    rec = SuspensionRecommendation.objects.get(pk=rec.pk)
    user = request.getfixturevalue(who)
    api_client.force_authenticate(user)
    client.force_login(user)
    for move, html_move in (("execute", "suspend"), ("dismiss", "dismiss")):
        expected = rules.SUSPENSION.allows(move, user, rec)
        response = api_client.post(f"{URL}{rec.pk}/{move}/", {"reason": "x"}, format="json")
        assert (response.status_code == 200) == expected, (move, response.content)
        _reset(rec, state)
        client.post(
            reverse("harms:recommendation-decide", args=[rec.pk, html_move]), {"reason": "x"}
        )
        moved = SuspensionRecommendation.objects.get(pk=rec.pk).state != state
        assert moved == expected, ("html", move)
        _reset(rec, state)
        try:
            with transaction.atomic():
                service = getattr(services, f"suspension_recommendation_{move}")
                service(actor=user, recommendation=rec, reason="x")
            served = True
        except (PermissionDenied, TransitionNotAllowed):
            served = False
        assert served == expected, ("service", move)
        _reset(rec, state)


def _reset(rec, state):
    SuspensionRecommendation.objects.filter(pk=rec.pk).update(state=state)
    type(rec.application).objects.filter(pk=rec.application_id).update(state="active")
