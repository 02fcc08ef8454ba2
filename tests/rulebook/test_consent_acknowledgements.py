"""Seam 5: every DUO consent conflict is acknowledged with a written reason by the committee
before approval and by the custodian before granting; audited and shown."""

import datetime

import pytest
from django.utils import timezone

from applications.models import Application
from solidarity.audit.models import AuditEvent
from tests.factories import DatasetFactory
from tests.reviews import factories

API = "/api/v1"


@pytest.fixture(autouse=True)
def only_dataset_grants(monkeypatch):
    from applications import activation

    monkeypatch.setattr(activation, "_checks", [activation.datasets_granted])


@pytest.fixture
def restricted(organisation):
    return DatasetFactory(
        custodian=organisation,
        title="Asthma cohort",
        consent_use="DUO:0000007",  # disease-specific
        consent_disease="asthma",
        consent_modifiers=["DUO:0000046"],  # non-commercial use only
    )


@pytest.fixture
def conflicted(researcher, secretariat, reviewer, restricted, framework):
    application = factories.in_review(
        researcher,
        secretariat,
        datasets=[restricted],
        commercial_involvement=True,
        commercial_details="A pharmaceutical partner co-funds the study.",
    )
    factories.file_review(factories.assign(application, secretariat, reviewer), framework)
    return application


def _approve(api_client, application):
    expires = (timezone.localdate() + datetime.timedelta(days=200)).isoformat()
    return api_client.post(
        f"{API}/applications/{application.pk}/decide/",
        {"outcome": "approved", "reason": "Worth it.", "access_expires_on": expires},
        format="json",
    )


def _acknowledge(api_client, application, conflict, party, reason="Consent re-checked."):
    return api_client.post(
        f"{API}/applications/{application.pk}/acknowledge-conflict/",
        {
            "dataset": conflict["dataset"],
            "term": conflict["term"],
            "party": party,
            "reason": reason,
        },
        format="json",
    )


def test_approval_and_grant_wait_for_every_acknowledgement(
    api_client, client, chair, custodian, other_custodian, conflicted
):
    api_client.force_authenticate(chair)
    conflicts = api_client.get(f"{API}/applications/{conflicted.pk}/").json()["consent_conflicts"]
    assert {c["term"] for c in conflicts} == {"DUO:0000007", "DUO:0000046"}
    refused = _approve(api_client, conflicted)
    assert refused.status_code == 409, refused.content
    assert "acknowledged by the committee" in refused.json()["error"]["message"]
    assert Application.objects.get(pk=conflicted.pk).state == "in_review"

    blank = _acknowledge(api_client, conflicted, conflicts[0], "committee", reason=" ")
    assert blank.status_code == 400 and "reason" in blank.json()["error"]["fields"]
    api_client.force_authenticate(custodian)
    assert _acknowledge(api_client, conflicted, conflicts[0], "committee").status_code == 403
    api_client.force_authenticate(chair)
    for conflict in conflicts:
        response = _acknowledge(api_client, conflicted, conflict, "committee")
        assert response.status_code == 200, response.content
    again = _acknowledge(api_client, conflicted, conflicts[0], "committee")
    assert again.status_code == 409
    shown = api_client.get(f"{API}/applications/{conflicted.pk}/").json()["consent_conflicts"]
    assert all(c["acknowledgements"][0]["party"] == "committee" for c in shown)
    assert _approve(api_client, conflicted).status_code == 200

    request_id = conflicted.dataset_requests.get().pk
    api_client.force_authenticate(custodian)
    grant = api_client.post(f"{API}/dataset-requests/{request_id}/grant/", {}, format="json")
    assert grant.status_code == 409
    assert "acknowledged by the custodian" in grant.json()["error"]["message"]
    api_client.force_authenticate(other_custodian)
    assert _acknowledge(api_client, conflicted, conflicts[0], "custodian").status_code in (
        403,
        404,
    )
    api_client.force_authenticate(custodian)
    for conflict in conflicts:
        response = _acknowledge(
            api_client, conflicted, conflict, "custodian", "Ethics board agreed."
        )
        assert response.status_code == 200, response.content
    grant = api_client.post(f"{API}/dataset-requests/{request_id}/grant/", {}, format="json")
    assert grant.status_code == 200, grant.content
    assert Application.objects.get(pk=conflicted.pk).state == "active"
    events = AuditEvent.objects.filter(action="consent.acknowledge")
    assert sorted(e.payload["party"] for e in events) == ["committee"] * 2 + ["custodian"] * 2

    client.force_login(chair)
    page = client.get(f"/applications/{conflicted.pk}/").content.decode()
    assert "Consent re-checked." in page and "Ethics board agreed." in page


def test_the_chair_acknowledges_through_the_html_form(client, chair, conflicted):
    client.force_login(chair)
    page = client.get(f"/applications/{conflicted.pk}/").content.decode()
    url = f"/applications/{conflicted.pk}/acknowledge-conflict/"
    assert f'action="{url}"' in page
    dataset = conflicted.dataset_requests.get().dataset
    empty = client.post(
        url, {"dataset": dataset.pk, "term": "DUO:0000046", "party": "committee", "reason": ""}
    )
    assert empty.status_code == 400
    done = client.post(
        url,
        {
            "dataset": dataset.pk,
            "term": "DUO:0000046",
            "party": "committee",
            "reason": "The partner gets no data.",
        },
    )
    assert done.status_code == 302
    page = client.get(f"/applications/{conflicted.pk}/").content.decode()
    assert "The partner gets no data." in page
