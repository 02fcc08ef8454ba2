"""Seam 1: after screening, only the committee's decision approves or rejects (one URL)."""

import pytest

from applications.models import ApplicationState
from reviews.models import CommitteeFile
from solidarity.audit.models import AuditEvent
from tests.reviews import factories

S = ApplicationState


@pytest.fixture
def in_review_with_reviewers(researcher, secretariat, reviewer, other_reviewer, dataset, framework):
    application = factories.in_review(researcher, secretariat, datasets=[dataset])
    factories.assign(application, secretariat, reviewer)
    factories.assign(application, secretariat, other_reviewer, role="ethics")
    return application


def test_chair_cannot_reject_through_the_application_api_after_screening(
    api_client, chair, in_review_with_reviewers
):
    application = in_review_with_reviewers
    api_client.force_authenticate(chair)
    response = api_client.post(
        f"/api/v1/applications/{application.pk}/reject/", {"reason": "No."}, format="json"
    )
    assert response.status_code == 409, response.content
    application.refresh_from_db()
    assert application.state == S.IN_REVIEW
    assert not AuditEvent.objects.filter(action="application.reject").exists()
    # The committee's decision is still open, and the decide URL still answers for it.
    assert not CommitteeFile.objects.filter(application=application, outcome="rejected").exists()


def test_chair_cannot_reject_through_the_html_button_after_screening(
    client, chair, in_review_with_reviewers
):
    application = in_review_with_reviewers
    client.force_login(chair)
    page = client.get(f"/applications/{application.pk}/").content.decode()
    assert f"/applications/{application.pk}/reject/" not in page
    response = client.post(f"/applications/{application.pk}/reject/", {"text": "No."}, follow=True)
    application.refresh_from_db()
    assert application.state == S.IN_REVIEW
    assert response.status_code in (200, 403, 404, 409)
    assert not AuditEvent.objects.filter(action="application.reject").exists()


def test_secretariat_still_rejects_out_of_scope_at_screening(
    api_client, secretariat, researcher, dataset, framework
):
    application = factories.submitted(researcher, datasets=[dataset])
    api_client.force_authenticate(secretariat)
    response = api_client.post(
        f"/api/v1/applications/{application.pk}/reject/", {"reason": "Out of scope."}
    )
    assert response.status_code == 200, response.content
    assert response.json()["state"] == S.REJECTED


def test_the_committee_rejection_goes_through_the_decision(
    api_client, chair, in_review_with_reviewers
):
    application = in_review_with_reviewers
    api_client.force_authenticate(chair)
    response = api_client.post(
        f"/api/v1/applications/{application.pk}/decide/",
        {"outcome": "rejected", "reason": "No."},
        format="json",
    )
    # Types B/C need a quorate vote; with no votes the committee cannot reject yet.
    assert response.status_code == 409
    application.refresh_from_db()
    assert application.state == S.IN_REVIEW


def test_decide_is_served_at_one_url(api_client, chair, in_review_with_reviewers):
    application = in_review_with_reviewers
    api_client.force_authenticate(chair)
    duplicate = api_client.post(
        f"/api/v1/committee/applications/{application.pk}/decide/",
        {"outcome": "rejected", "reason": "No."},
        format="json",
    )
    assert duplicate.status_code in (404, 405)
    schema = api_client.get("/api/schema/?format=json").json()
    decide_paths = [p for p in schema["paths"] if p.endswith("/decide/")]
    assert decide_paths == ["/api/v1/applications/{id}/decide/"]
