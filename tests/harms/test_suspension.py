import pytest
from django.urls import reverse

from harms import selectors, services
from harms.models import SuspensionRecommendation
from solidarity.audit.models import AuditEvent
from solidarity.errors import PermissionDenied, TransitionNotAllowed

pytestmark = pytest.mark.django_db


@pytest.fixture
def linked(report, harm_officer, project):
    services.harm_report_triage(
        actor=harm_officer, report=report, severity="critical", applications=[project]
    )
    return report


def _recommend(report, officer, project):
    return services.harm_report_recommend_suspension(
        actor=officer, report=report, application=project, reason="Repeated re-identification"
    )


def test_officer_recommends_and_the_chair_sees_it(client, linked, harm_officer, chair, project):
    rec = _recommend(linked, harm_officer, project)
    assert list(selectors.suspension_recommendations_open()) == [rec]
    assert AuditEvent.objects.for_target(linked).latest("id").action == (
        "harm_report.recommend_suspension"
    )
    client.force_login(chair)
    body = client.get(reverse("harms:recommendations")).content.decode()
    assert project.reference in body and "Repeated re-identification" in body
    assert project.reference in client.get(reverse("home")).content.decode()


def test_chair_suspends_through_the_applications_service(
    client, linked, harm_officer, chair, project
):
    rec = _recommend(linked, harm_officer, project)
    client.force_login(chair)
    response = client.post(
        reverse("harms:recommendation-decide", args=[rec.pk, "suspend"]), {"reason": ""}
    )
    assert response.status_code == 302
    project.refresh_from_db()
    rec.refresh_from_db()
    assert project.state == "suspended"
    assert rec.state == "executed" and rec.decided_by == chair
    assert AuditEvent.objects.filter(action="application.suspend").exists()
    assert not selectors.suspension_recommendations_open().exists()


def test_chair_dismisses_with_a_reason(linked, harm_officer, chair, project):
    rec = _recommend(linked, harm_officer, project)
    services.suspension_recommendation_dismiss(actor=chair, recommendation=rec, reason="Fixed")
    project.refresh_from_db()
    assert project.state == "active"
    with pytest.raises(TransitionNotAllowed):
        services.suspension_recommendation_execute(actor=chair, recommendation=rec)


@pytest.mark.parametrize("who", ["harm_officer", "auditor", "reviewer", "outsider"])
def test_only_the_chair_decides(who, request, client, linked, harm_officer, project):
    rec = _recommend(linked, harm_officer, project)
    actor = request.getfixturevalue(who)
    with pytest.raises(PermissionDenied):
        services.suspension_recommendation_execute(actor=actor, recommendation=rec)
    client.force_login(actor)
    assert client.get(reverse("harms:recommendations")).status_code == 403
    project.refresh_from_db()
    assert project.state == "active"


@pytest.mark.parametrize("who", ["chair", "auditor", "outsider"])
def test_only_officers_recommend(who, request, linked, project):
    with pytest.raises(PermissionDenied):
        _recommend(linked, request.getfixturevalue(who), project)


def test_unlinked_or_inactive_projects_cannot_be_recommended(report, harm_officer, researcher):
    from solidarity.errors import DomainError

    from .factories import make_application

    unlinked = make_application(researcher)
    with pytest.raises(DomainError):
        _recommend(report, harm_officer, unlinked)
    closed = make_application(researcher, state="closed")
    report.applications.add(closed)
    with pytest.raises(TransitionNotAllowed):
        _recommend(report, harm_officer, closed)


def test_one_open_recommendation_per_project(linked, harm_officer, project):
    _recommend(linked, harm_officer, project)
    with pytest.raises(TransitionNotAllowed):
        _recommend(linked, harm_officer, project)
    assert SuspensionRecommendation.objects.count() == 1
