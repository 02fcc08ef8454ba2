"""The API: the same services and permissions as the browser, errors as JSON."""

import pytest

from applications.models import Application, ApplicationState
from solidarity.audit.models import AuditEvent

from . import factories
from .factories import COMPLETE, pdf_upload

S = ApplicationState
BASE = "/api/v1/applications/"


def test_applicant_creates_fills_and_submits_through_the_api(api_client, researcher, dataset):
    api_client.force_authenticate(researcher)
    response = api_client.post(BASE, {"title": "API study"}, format="json")
    assert response.status_code == 201
    pk = response.json()["id"]
    body = {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in COMPLETE.items()}
    assert api_client.patch(f"{BASE}{pk}/", body, format="json").status_code == 200
    response = api_client.post(f"{BASE}{pk}/submit/")
    assert response.status_code == 400
    assert "team" in response.json()["error"]["fields"]
    member = {"name": "Alice", "role": "PI", "organisation": "Uni"}
    assert api_client.post(f"{BASE}{pk}/team/", member, format="json").status_code == 201
    request = {"application": pk, "dataset": dataset.pk, "variables": "HbA1c"}
    response = api_client.post("/api/v1/dataset-requests/", request, format="json")
    assert response.status_code == 201, response.json()
    response = api_client.post(
        f"{BASE}{pk}/attachments/", {"kind": "protocol", "file": pdf_upload()}, format="multipart"
    )
    assert response.status_code == 201
    assert len(response.json()["sha256"]) == 64
    response = api_client.post(f"{BASE}{pk}/submit/")
    assert response.status_code == 200, response.json()
    data = response.json()
    assert data["state"] == "submitted"
    assert data["reference"].startswith("DSA-")
    assert data["versions"] == [1]


def test_api_rejects_bad_input_with_field_messages(api_client, researcher):
    api_client.force_authenticate(researcher)
    response = api_client.post(BASE, {"title": "", "beneficiaries": ["aliens"]}, format="json")
    assert response.status_code == 400
    fields = response.json()["error"]["fields"]
    assert "title" in fields and "beneficiaries" in fields
    assert not Application.objects.exists()


def test_illegal_transition_answers_409(api_client, secretariat, in_review):
    api_client.force_authenticate(secretariat)
    response = api_client.post(f"{BASE}{in_review.pk}/accept/")
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "transition_not_allowed"


def test_screening_actions(api_client, secretariat, submitted):
    api_client.force_authenticate(secretariat)
    response = api_client.post(f"{BASE}{submitted.pk}/request-revision/", {}, format="json")
    assert response.status_code == 400
    response = api_client.post(
        f"{BASE}{submitted.pk}/request-revision/", {"message": "More detail"}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["state"] == "revision_requested"


def test_reject_and_withdraw(api_client, secretariat, researcher, submitted, dataset):
    api_client.force_authenticate(secretariat)
    response = api_client.post(f"{BASE}{submitted.pk}/reject/", {"reason": "Scope"}, format="json")
    assert response.json()["state"] == "rejected"
    other = factories.submitted(researcher, datasets=[dataset])
    api_client.force_authenticate(researcher)
    assert api_client.post(f"{BASE}{other.pk}/withdraw/").json()["state"] == "withdrawn"
    response = api_client.post(f"{BASE}{submitted.pk}/copy/")
    assert response.status_code == 201
    assert response.json()["state"] == "draft"


def test_project_life_through_the_api(api_client, chair, researcher, active):
    api_client.force_authenticate(chair)
    url = f"{BASE}{active.pk}/"
    assert api_client.post(url + "suspend/", {"reason": "Breach"}, format="json").status_code == 200
    assert api_client.post(url + "reinstate/").json()["state"] == "active"
    api_client.force_authenticate(researcher)
    assert api_client.post(url + "revoke/", {"reason": "x"}, format="json").status_code == 403
    response = api_client.post(url + "close/", {"final_report": "Done."}, format="json")
    assert response.json()["state"] == "closed"
    api_client.force_authenticate(chair)
    assert api_client.post(url + "revoke/", {"reason": "x"}, format="json").status_code == 409


@pytest.mark.parametrize("who", ["other_researcher", "outsider", "other_custodian"])
def test_others_can_neither_see_nor_act_through_the_api(api_client, request, submitted, who):
    api_client.force_authenticate(request.getfixturevalue(who))
    assert api_client.get(f"{BASE}{submitted.pk}/").status_code == 404
    assert submitted.pk not in [row["id"] for row in api_client.get(BASE).json()["results"]]
    for action in ("withdraw", "accept", "submit"):
        assert api_client.post(f"{BASE}{submitted.pk}/{action}/").status_code == 404
    assert (
        api_client.patch(f"{BASE}{submitted.pk}/", {"title": "X"}, format="json").status_code == 404
    )
    submitted.refresh_from_db()
    assert submitted.state == S.SUBMITTED


def test_anonymous_is_refused(api_client, submitted):
    assert api_client.get(BASE).status_code in (401, 403)


def test_submitted_application_cannot_be_edited(api_client, researcher, submitted):
    api_client.force_authenticate(researcher)
    response = api_client.patch(f"{BASE}{submitted.pk}/", {"title": "New"}, format="json")
    assert response.status_code == 403


def test_custodian_decides_only_its_own_dataset_requests(
    api_client, custodian, other_custodian, approved, dataset, other_dataset
):
    own = approved.dataset_requests.get(dataset=dataset)
    foreign = approved.dataset_requests.get(dataset=other_dataset)
    api_client.force_authenticate(custodian)
    ids = [row["id"] for row in api_client.get("/api/v1/dataset-requests/").json()["results"]]
    assert own.pk in ids and foreign.pk not in ids
    response = api_client.post(f"/api/v1/dataset-requests/{foreign.pk}/grant/")
    assert response.status_code == 404
    response = api_client.post(f"/api/v1/dataset-requests/{own.pk}/decline/", {}, format="json")
    assert response.status_code == 400
    response = api_client.post(
        f"/api/v1/dataset-requests/{own.pk}/grant/", {"conditions": "Federated only"}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["state"] == "granted"
    assert AuditEvent.objects.for_target(own).latest("id").action == "dataset_request.grant"
    response = api_client.post(f"/api/v1/dataset-requests/{own.pk}/grant/")
    assert response.status_code == 409
    api_client.force_authenticate(other_custodian)
    response = api_client.post(
        f"/api/v1/dataset-requests/{foreign.pk}/decline/", {"reason": "No"}, format="json"
    )
    assert response.status_code == 200
    detail = api_client.get(f"{BASE}{approved.pk}/").json()
    assert any("declined" in item for item in detail["missing_for_activation"])


def test_custodian_with_both_rights_still_cannot_decide_for_another_organisation(
    api_client, custodian, approved, other_dataset, chair
):
    foreign = approved.dataset_requests.get(dataset=other_dataset)
    api_client.force_authenticate(chair)  # the chair sees every request but is no custodian
    assert api_client.post(f"/api/v1/dataset-requests/{foreign.pk}/grant/").status_code == 403


def test_versions_and_diff(api_client, researcher, secretariat, submitted):
    from applications import services

    services.application_request_revision(actor=secretariat, application=submitted, message="x")
    services.application_update_draft(actor=researcher, application=submitted, aims="New aims")
    services.application_submit(actor=researcher, application=submitted)
    api_client.force_authenticate(secretariat)
    versions = api_client.get(f"{BASE}{submitted.pk}/versions/").json()
    assert [v["number"] for v in versions] == [1, 2]
    changes = api_client.get(f"{BASE}{submitted.pk}/diff/", {"old": 1, "new": 2}).json()
    assert [c["label"] for c in changes] == ["Aims"]
    assert changes[0]["new"] == "New aims"
    assert api_client.get(f"{BASE}{submitted.pk}/diff/", {"old": 1, "new": 9}).status_code == 404


def test_filters_in_the_api(api_client, secretariat, researcher, dataset, other_dataset):
    first = factories.submitted(researcher, datasets=[dataset], title="First")
    factories.submitted(researcher, datasets=[other_dataset], title="Second")
    api_client.force_authenticate(secretariat)
    rows = api_client.get(BASE, {"dataset": dataset.pk}).json()["results"]
    assert [r["id"] for r in rows] == [first.pk]
    rows = api_client.get(BASE, {"custodian": dataset.custodian.pk}).json()["results"]
    assert [r["id"] for r in rows] == [first.pk]
    assert api_client.get(BASE, {"older_than": 2}).json()["results"] == []
    rows = api_client.get(BASE, {"ordering": "title"}).json()["results"]
    assert [r["title"] for r in rows] == ["First", "Second"]


def test_attachment_download_through_the_api(api_client, researcher, other_researcher, submitted):
    attachment = submitted.attachments.get()
    url = f"{BASE}{submitted.pk}/attachments/{attachment.pk}/"
    api_client.force_authenticate(researcher)
    response = api_client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    api_client.force_authenticate(other_researcher)
    assert api_client.get(url).status_code == 404


def test_openapi_schema_documents_the_actions(api_client, researcher):
    api_client.force_authenticate(researcher)
    response = api_client.get("/api/schema/", {"format": "json"})
    paths = response.json()["paths"]
    for action in ("submit", "withdraw", "request-revision", "accept", "reject", "suspend"):
        assert f"/api/v1/applications/{{id}}/{action}/" in paths
    assert "/api/v1/dataset-requests/{id}/grant/" in paths


def _api_queries(api_client, path) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    api_client.get(path)  # warm the content-type and permission caches
    with CaptureQueriesContext(connection) as captured:
        assert api_client.get(path).status_code == 200
    return len(captured)


def _more_submissions(researcher, dataset, n):
    for i in range(n):
        clone = Application.objects.create(
            applicant=researcher, title=f"Clone {i}", state=S.SUBMITTED, reference=f"X-{i}"
        )
        clone.dataset_requests.create(dataset=dataset)


@pytest.mark.parametrize(
    ("who", "path"),
    [
        ("secretariat", BASE),
        ("researcher", BASE),
        ("custodian", "/api/v1/dataset-requests/"),
        ("secretariat", "/api/v1/dataset-requests/"),
    ],
)
def test_api_lists_run_a_fixed_number_of_queries(
    api_client, request, researcher, django_assert_num_queries, dataset, who, path
):
    factories.submitted(researcher, datasets=[dataset])
    api_client.force_login(request.getfixturevalue(who))
    with_one_row = _api_queries(api_client, path)
    _more_submissions(researcher, dataset, 49)
    with django_assert_num_queries(with_one_row):
        response = api_client.get(path, {"page_size": 100})
    assert response.status_code == 200
    assert response.json()["count"] == 50
