"""Suspension, revocation, expiry and closure change the dataset requests' access state
visibly (issue 10, item 9): on the API, the application page and the custodian's list."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from applications.models import Application, DatasetRequest
from solidarity.audit.models import AuditEvent

pytestmark = pytest.mark.django_db

BASE = "/api/v1/applications/"
REQUESTS = "/api/v1/dataset-requests/"


def _states(api_client, user, application):
    api_client.force_authenticate(user)
    body = api_client.get(f"{BASE}{application.pk}/").json()
    return [r["state"] for r in body["dataset_requests"]]


def _post(api_client, user, application, action, **data):
    api_client.force_authenticate(user)
    response = api_client.post(f"{BASE}{application.pk}/{action}/", data)
    assert response.status_code == 200, response.content
    return response


def test_suspension_pauses_and_reinstatement_restores_access(api_client, active, chair, custodian):
    assert _states(api_client, chair, active) == ["granted"]
    _post(api_client, chair, active, "suspend", reason="A harm finding")
    assert _states(api_client, chair, active) == ["suspended"]
    api_client.force_authenticate(custodian)
    listed = api_client.get(REQUESTS).json()["results"]
    assert [r["state"] for r in listed] == ["suspended"]
    request = DatasetRequest.objects.get(application=active)
    event = AuditEvent.objects.for_target(request).latest("id")
    assert (event.action, event.from_state, event.to_state) == (
        "dataset_request.access",
        "granted",
        "suspended",
    )
    assert event.payload["because"] == "suspend"
    _post(api_client, chair, active, "reinstate")
    assert _states(api_client, chair, active) == ["granted"]


def test_revocation_ends_access_for_good(api_client, active, chair, custodian, client):
    _post(api_client, chair, active, "suspend", reason="A harm finding")
    _post(api_client, chair, active, "revoke", reason="Confirmed misuse")
    assert _states(api_client, chair, active) == ["revoked"]
    request = DatasetRequest.objects.get(application=active)
    assert request.custodian_decision == "granted"  # what the custodian decided stays known
    client.force_login(chair)
    page = client.get(reverse("applications:detail", args=[active.pk])).content.decode()
    assert "Granted; access revoked" in page
    client.force_login(custodian)
    listing = client.get(reverse("applications:requests")).content.decode()
    assert "Granted; access revoked" in listing


def test_closure_ends_access(api_client, active, researcher):
    _post(api_client, researcher, active, "close", final_report="We are done.")
    assert _states(api_client, researcher, active) == ["ended"]


def test_expiry_marks_access_expired(api_client, active, chair):
    from applications.tasks import expire_due_applications

    Application.objects.filter(pk=active.pk).update(
        access_expires_on=timezone.localdate() - datetime.timedelta(days=1)
    )
    expire_due_applications.delay().get()
    assert _states(api_client, chair, active) == ["expired"]
    event = AuditEvent.objects.filter(action="dataset_request.access").latest("id")
    assert (event.actor_label, event.to_state) == ("system", "expired")


def test_refused_suspension_leaves_access_alone(api_client, active, researcher, chair):
    api_client.force_authenticate(researcher)
    response = api_client.post(f"{BASE}{active.pk}/suspend/", {"reason": "I want a break"})
    assert response.status_code in (403, 404)
    assert _states(api_client, chair, active) == ["granted"]
    assert not AuditEvent.objects.filter(action="dataset_request.access").exists()


def test_the_register_still_reports_the_custodians_decision(api_client, active, chair):
    _post(api_client, chair, active, "suspend", reason="A harm finding")
    api_client.force_authenticate(None)
    body = api_client.get("/register/register.json").json()
    entries = body if isinstance(body, list) else body.get("entries", body.get("results", []))
    decisions = [d["custodian_decision"] for e in entries for d in e["datasets"]]
    assert decisions == ["granted"]


def test_every_access_change_is_a_declared_move_of_the_dataset_request_rulebook(
    api_client, active, chair, researcher
):
    """The access moves are declared in ``applications.rules.DATASET_REQUEST`` (system-only:
    never offered as a button or an action) and the audit trail names only declared moves."""
    from applications.rules import ACCESS_FOLLOWS_PROJECT, DATASET_REQUEST

    for project_move, (name, *_rest) in ACCESS_FOLLOWS_PROJECT.items():
        assert name in DATASET_REQUEST and not DATASET_REQUEST[name].offered, project_move
    _post(api_client, chair, active, "suspend", reason="A harm finding")
    _post(api_client, chair, active, "reinstate")
    _post(api_client, researcher, active, "close", final_report="We are done.")
    events = AuditEvent.objects.filter(action="dataset_request.access").order_by("id")
    moves = [(e.from_state, e.to_state) for e in events]
    assert moves == [("granted", "suspended"), ("suspended", "granted"), ("granted", "ended")]
    declared = {(s, t.target) for t in DATASET_REQUEST for s in t.sources if not t.offered}
    assert set(moves) <= declared
    request = DatasetRequest.objects.select_related("application").get(application=active)
    # Only those who may make the project's move may move the access with it.
    assert DATASET_REQUEST.may_actor("suspend-access", chair, request)
    assert not DATASET_REQUEST.may_actor("suspend-access", researcher, request)
    assert not DATASET_REQUEST.may_actor("expire-access", chair, request)
