"""The reviews API: frameworks and the try-out, assessments, risk reviews, committee actions."""

import datetime

import pytest
from django.utils import timezone

from reviews.api import TryOutAnonThrottle
from reviews.models import Assignment
from solidarity.audit.models import AuditEvent

from . import factories


def test_anyone_may_read_the_frameworks(api_client, framework):
    response = api_client.get("/api/v1/frameworks/")
    assert response.status_code == 200
    [data] = response.json()
    assert data["is_default"] and "University of Vienna" in data["credit"]
    assert sum(len(g["questions"]) for g in data["groups"]) == 24


def test_anyone_may_try_the_instrument_without_storing_anything(api_client, framework):
    answers = {
        str(k): v for k, v in factories.answers(framework, benefit="high", safety="low").items()
    }
    response = api_client.post(
        f"/api/v1/frameworks/{framework.pk}/evaluate/", {"answers": answers}, format="json"
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["type"] == "C"
    assert body["benefit"]["normalised"] == 1 and body["safety"]["normalised"] == -1
    assert body["shortfalls"][0]["axis"] == "safety"
    from reviews.models import Assessment

    assert not Assessment.objects.exists()


def test_the_try_out_refuses_invalid_answers_per_question(api_client, framework):
    q2 = next(q for q in framework.specs() if q.label == "Q2")
    picks = [c.id for c in q2.choices if c.kind == "regular"][:3]
    response = api_client.post(
        f"/api/v1/frameworks/{framework.pk}/evaluate/",
        {"answers": {str(q2.id): picks}},
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {f"answers.{q2.id}": ["Q2: Pick at most 2."]}


def test_the_try_out_is_throttled(api_client, framework, monkeypatch):
    from django.core.cache.backends.locmem import LocMemCache

    # A private cache: the shared test Redis may be cleared by other test runs meanwhile.
    monkeypatch.setattr(TryOutAnonThrottle, "cache", LocMemCache("tryout-throttle", {}))
    monkeypatch.setattr(TryOutAnonThrottle, "rate", "2/minute")
    url = f"/api/v1/frameworks/{framework.pk}/evaluate/"
    codes = [api_client.post(url, {"answers": {}}, format="json").status_code for _ in range(3)]
    assert codes == [200, 200, 429]


def test_a_reviewer_saves_and_files_through_the_api(api_client, assignment, framework):
    api_client.force_authenticate(assignment.reviewer)
    answers = {
        str(k): v for k, v in factories.answers(framework, benefit="low", safety="high").items()
    }
    response = api_client.post(
        "/api/v1/assessments/",
        {"assignment": assignment.pk, "answers": answers, "comments": "Draft"},
        format="json",
    )
    assert response.status_code == 201, response.json()
    assessment_id = response.json()["id"]
    risk = api_client.post(
        "/api/v1/risk-reviews/", {**factories.RISK, "assignment": assignment.pk}, format="json"
    )
    assert risk.status_code == 201 and risk.json()["significant"] is True
    filed = api_client.post(f"/api/v1/assessments/{assessment_id}/file/", {}, format="json")
    assert filed.status_code == 200, filed.json()
    body = filed.json()
    assert body["type"] == "B" and body["filed"] is True
    assert body["benefit"]["normalised"] == -0.9286 and body["safety"]["normalised"] == 0.9268
    assert len(body["risks"]) == 1
    again = api_client.post(f"/api/v1/assessments/{assessment_id}/file/", {}, format="json")
    assert again.status_code == 409
    gone = api_client.delete(f"/api/v1/risk-reviews/{risk.json()['id']}/")
    assert gone.status_code == 409


def test_reviewers_see_only_their_own_assessments(
    api_client, assignment, other_assignment, framework
):
    factories.file_review(assignment, framework)
    api_client.force_authenticate(other_assignment.reviewer)
    assert api_client.get("/api/v1/assessments/").json()["count"] == 0
    response = api_client.post(
        "/api/v1/assessments/",
        {"assignment": assignment.pk, "answers": {}},
        format="json",
    )
    assert response.status_code == 404


@pytest.mark.parametrize("who", ["researcher", "outsider", "custodian"])
def test_non_reviewers_are_refused_by_the_assessment_api(api_client, request, who):
    api_client.force_authenticate(request.getfixturevalue(who))
    assert api_client.get("/api/v1/assessments/").status_code == 403
    assert api_client.get("/api/v1/risk-reviews/").status_code == 403


def test_the_committee_actions_at_their_design_addresses(
    api_client, in_review, secretariat, reviewer, chair, framework
):
    api_client.force_authenticate(secretariat)
    due = (timezone.localdate() + datetime.timedelta(days=10)).isoformat()
    response = api_client.post(
        f"/api/v1/applications/{in_review.pk}/assign/",
        {"reviewer": reviewer.pk, "role": "community", "due_on": due},
        format="json",
    )
    assert response.status_code == 201, response.json()
    assignment = Assignment.objects.get(pk=response.json()["id"])
    factories.file_review(
        factories.services.coi_declare(actor=reviewer, assignment=assignment, has_conflict=False),
        framework,
        benefit="low",
        safety="low",
    )
    api_client.force_authenticate(chair)
    classification = api_client.get(f"/api/v1/applications/{in_review.pk}/classification/").json()
    assert classification["computed_type"] == "D" and classification["type"] == "D"
    assert classification["reviewers"][0]["benefit"] == -0.9286
    vote = api_client.post(
        f"/api/v1/applications/{in_review.pk}/vote/", {"choice": "reject"}, format="json"
    )
    assert vote.status_code == 201
    refused = api_client.post(
        f"/api/v1/applications/{in_review.pk}/decide/",
        {"outcome": "approved", "access_expires_on": "2099-01-01", "reason": "x"},
        format="json",
    )
    assert refused.status_code == 409
    assert "Type D" in refused.json()["error"]["message"]
    override = api_client.post(
        f"/api/v1/applications/{in_review.pk}/classification/",
        {"type": "B", "reason": ""},
        format="json",
    )
    assert override.status_code == 400 and "reason" in override.json()["error"]["fields"]
    decided = api_client.post(
        f"/api/v1/applications/{in_review.pk}/decide/",
        {"outcome": "rejected", "reason": "High risk, low value."},
        format="json",
    )
    assert decided.status_code == 200 and decided.json()["outcome"] == "rejected"
    assert AuditEvent.objects.filter(action="decision.record").exists()
    # The router's address reaches the same actions.
    again = api_client.get(f"/api/v1/committee/applications/{in_review.pk}/classification/")
    assert again.status_code == 200


@pytest.mark.parametrize("who", ["researcher", "other_researcher", "outsider", "reviewer"])
def test_committee_api_refusals(api_client, request, in_review, other_reviewer, who):
    api_client.force_authenticate(request.getfixturevalue(who))
    base = f"/api/v1/applications/{in_review.pk}"
    assign = api_client.post(
        f"{base}/assign/",
        {"reviewer": other_reviewer.pk, "role": "lay", "due_on": "2099-01-01"},
        format="json",
    )
    assert assign.status_code in (403, 404)
    assert api_client.get(f"{base}/classification/").status_code in (403, 404)
    decide = api_client.post(
        f"{base}/decide/", {"outcome": "rejected", "reason": "x"}, format="json"
    )
    assert decide.status_code in (403, 404)
    vote = api_client.post(f"{base}/vote/", {"choice": "approve"}, format="json")
    assert vote.status_code in (403, 404)
    assert not Assignment.objects.exists()


def test_anonymous_cannot_use_the_committee_api(api_client, in_review):
    assert api_client.get(f"/api/v1/applications/{in_review.pk}/classification/").status_code in (
        401,
        403,
    )


def test_a_reviewer_votes_through_the_api_only_after_filing(
    api_client, assignment, framework, reviewer
):
    url = f"/api/v1/applications/{assignment.application_id}/vote/"
    api_client.force_authenticate(reviewer)
    assert api_client.post(url, {"choice": "approve"}, format="json").status_code == 404
    factories.file_review(assignment, framework)
    assert api_client.post(url, {"choice": "approve"}, format="json").status_code == 201
