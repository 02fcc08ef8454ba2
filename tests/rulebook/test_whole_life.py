"""Seams 2 and 3: the whole life of a data use through the REST API only, amendment included.

An amendment of an active project goes through screening, votes and a committee decision of
its own (a new decision on the same application); meanwhile the project keeps its register
entry, marked "amendment under review", and its last approved terms.
"""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from solidarity.audit.models import AuditEvent
from tests.reviews import factories as review_factories

API = "/api/v1"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _ok(response, code=200):
    assert response.status_code == code, (response.status_code, response.content[:600])
    return response.json()


def _as(api_client, user):
    api_client.force_authenticate(user)
    return api_client


def _file_review(api_client, reviewer, application_id, framework):
    client = _as(api_client, reviewer)
    assignment = next(
        a
        for a in _ok(client.get(f"{API}/assignments/"))["results"]
        if a["application"] == application_id
    )
    _ok(client.post(f"{API}/assignments/{assignment['id']}/declare/", {"has_conflict": False}))
    answers = {
        str(k): v
        for k, v in review_factories.answers(framework, benefit="high", safety="high").items()
    }
    filed = _ok(
        client.post(
            f"{API}/assessments/",
            {"assignment": assignment["id"], "answers": answers, "file": True},
            format="json",
        ),
        201,
    )
    assert filed["type"] == "A"


def _vote_and_decide(api_client, reviewers, chair, application_id, expires):
    for reviewer in reviewers:
        _ok(
            _as(api_client, reviewer).post(
                f"{API}/applications/{application_id}/vote/", {"choice": "approve"}, format="json"
            ),
            201,
        )
    return _ok(
        _as(api_client, chair).post(
            f"{API}/applications/{application_id}/decide/",
            {"outcome": "approved", "reason": "Sound and useful.", "access_expires_on": expires},
            format="json",
        )
    )


@pytest.fixture
def reviewers(reviewer, other_reviewer):
    return [reviewer, other_reviewer]


def test_the_whole_life_through_the_api(
    api_client,
    client,
    researcher,
    secretariat,
    reviewers,
    chair,
    custodian,
    benefit_officer,
    dataset,
    framework,
):
    a = _as(api_client, researcher)
    created = _ok(
        a.post(
            f"{API}/applications/",
            {
                "title": "Heat waves and diabetes",
                "lay_summary": "Whether heat waves make diabetes worse.",
                "scientific_summary": "A retrospective cohort study.",
                "aims": "Estimate the effect of heat on HbA1c.",
                "methods": "Federated regression.",
                "public_benefit": "Better heat-wave warnings.",
                "beneficiaries": ["data_subjects"],
                "funding": "National research fund.",
                "research_use": "DUO:0000006",
                "start_date": "2027-01-01",
                "end_date": "2028-12-31",
            },
            format="json",
        ),
        201,
    )
    pk = created["id"]
    _ok(
        a.post(
            f"{API}/applications/{pk}/team/",
            {"name": "Alice", "role": "PI", "organisation": "Uni"},
            format="json",
        ),
        201,
    )
    _ok(
        a.post(
            f"{API}/dataset-requests/",
            {"application": pk, "dataset": dataset.pk, "variables": "HbA1c, age"},
            format="json",
        ),
        201,
    )
    upload = SimpleUploadedFile("protocol.pdf", PDF, content_type="application/pdf")
    _ok(
        a.post(
            f"{API}/applications/{pk}/attachments/",
            {"kind": "protocol", "file": upload},
            format="multipart",
        ),
        201,
    )
    assert _ok(a.post(f"{API}/applications/{pk}/submit/"))["state"] == "submitted"
    s = _as(api_client, secretariat)
    assert _ok(s.post(f"{API}/applications/{pk}/accept/"))["state"] == "in_review"
    due = (timezone.localdate() + datetime.timedelta(days=10)).isoformat()
    for reviewer in reviewers:
        _ok(
            _as(api_client, secretariat).post(
                f"{API}/applications/{pk}/assign/",
                {"reviewer": reviewer.pk, "role": "scientific", "due_on": due},
                format="json",
            ),
            201,
        )
    for reviewer in reviewers:
        _file_review(api_client, reviewer, pk, framework)
    expires = (timezone.localdate() + datetime.timedelta(days=365)).isoformat()
    decided = _vote_and_decide(api_client, reviewers, chair, pk, expires)
    assert decided["outcome"] == "approved"
    request_id = _ok(_as(api_client, custodian).get(f"{API}/dataset-requests/"))["results"][0]["id"]
    _ok(_as(api_client, custodian).post(f"{API}/dataset-requests/{request_id}/grant/", {}))
    o = _as(api_client, benefit_officer)
    agreement = _ok(
        o.post(
            f"{API}/benefit-agreements/",
            {"application": pk, "kind": "public_research", "from_template": True},
            format="json",
        ),
        201,
    )
    _ok(o.post(f"{API}/benefit-agreements/{agreement['id']}/propose/"))
    _ok(
        _as(api_client, researcher).post(
            f"{API}/benefit-agreements/{agreement['id']}/sign/", {"version": 1}, format="json"
        )
    )
    _ok(
        _as(api_client, benefit_officer).post(
            f"{API}/benefit-agreements/{agreement['id']}/sign/", {"version": 1}, format="json"
        )
    )
    project = _ok(_as(api_client, researcher).get(f"{API}/applications/{pk}/"))
    assert project["state"] == "active", project["missing_for_activation"]
    reference = project["reference"]
    approved_summary = project["lay_summary"]

    # ---- the amendment ----
    a = _as(api_client, researcher)
    amended = _ok(
        a.post(f"{API}/applications/{pk}/amend/", {"reason": "Extend by a year."}, format="json")
    )
    assert amended["state"] == "revision_requested" and amended["amendment_under_review"]
    _ok(
        a.patch(
            f"{API}/applications/{pk}/",
            {"end_date": "2029-12-31", "lay_summary": "Amended: one more year of follow-up."},
            format="json",
        )
    )
    assert _ok(a.post(f"{API}/applications/{pk}/submit/"))["state"] == "submitted"

    # The project keeps its register entry and its approved terms meanwhile.
    entry = client.get(f"/register/{reference}/")
    assert entry.status_code == 200
    page = entry.content.decode()
    assert "amendment under review" in page.lower()
    assert approved_summary in page and "one more year" not in page

    assert (
        _ok(_as(api_client, secretariat).post(f"{API}/applications/{pk}/accept/"))["state"]
        == "in_review"
    )
    classification = _ok(_as(api_client, chair).get(f"{API}/applications/{pk}/classification/"))
    assert classification["votes"]["counted"] == 0  # the earlier round's votes do not count
    decided = _vote_and_decide(api_client, reviewers, chair, pk, "2029-12-31")
    assert decided["outcome"] == "approved"
    project = _ok(_as(api_client, researcher).get(f"{API}/applications/{pk}/"))
    assert project["state"] == "active" and not project["amendment_under_review"]
    assert project["access_expires_on"] == "2029-12-31"
    decisions = AuditEvent.objects.filter(action="decision.record", target_id=str(pk))
    assert decisions.count() == 2
    page = client.get(f"/register/{reference}/").content.decode()
    assert "one more year" in page and "amendment under review" not in page.lower()


@pytest.fixture
def only_dataset_grants(monkeypatch):
    """Activation here needs only the custodians' grants (the agreement is covered above)."""
    from applications import activation

    monkeypatch.setattr(activation, "_checks", [activation.datasets_granted])


def test_a_turned_down_amendment_leaves_the_project_on_its_approved_terms(
    api_client,
    client,
    researcher,
    secretariat,
    reviewers,
    chair,
    custodian,
    dataset,
    framework,
    only_dataset_grants,
):
    from applications.models import Application
    from tests.applications import factories as application_factories

    application = application_factories.in_review(researcher, secretariat, datasets=[dataset])
    pk = application.pk
    for reviewer in reviewers:
        review_factories.file_review(
            review_factories.assign(application, secretariat, reviewer), framework
        )
    expires = (timezone.localdate() + datetime.timedelta(days=365)).isoformat()
    _vote_and_decide(api_client, reviewers, chair, pk, expires)
    for request in application.dataset_requests.all():
        _ok(_as(api_client, custodian).post(f"{API}/dataset-requests/{request.pk}/grant/", {}))
    assert Application.objects.get(pk=pk).state == "active"
    a = _as(api_client, researcher)
    _ok(a.post(f"{API}/applications/{pk}/amend/", {"reason": "Broader aims."}, format="json"))
    _ok(a.patch(f"{API}/applications/{pk}/", {"aims": "Everything."}, format="json"))
    _ok(a.post(f"{API}/applications/{pk}/submit/"))
    _ok(_as(api_client, secretariat).post(f"{API}/applications/{pk}/accept/"))
    # Rejection of an amendment is also the committee's, at the one decide URL.
    refused = _as(api_client, chair).post(
        f"{API}/applications/{pk}/reject/", {"reason": "No."}, format="json"
    )
    assert refused.status_code == 409
    for reviewer in reviewers:
        _ok(
            _as(api_client, reviewer).post(
                f"{API}/applications/{pk}/vote/", {"choice": "reject"}, format="json"
            ),
            201,
        )
    decided = _ok(
        _as(api_client, chair).post(
            f"{API}/applications/{pk}/decide/",
            {"outcome": "rejected", "reason": "Too broad."},
            format="json",
        )
    )
    assert decided["outcome"] == "rejected"
    project = _ok(_as(api_client, researcher).get(f"{API}/applications/{pk}/"))
    assert project["state"] == "active"
    assert project["aims"] != "Everything."
    assert project["access_expires_on"] == expires
    events = AuditEvent.objects.filter(target_id=str(pk)).values_list("action", flat=True)
    assert "application.amendment_reject" in events and "application.reject" not in events
    assert client.get(f"/register/{project['reference']}/").status_code == 200
