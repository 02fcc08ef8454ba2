"""Bulk triage and assignment of harm reports through the API: one service call per report."""

import pytest

from harms.models import HarmReport
from solidarity.audit.models import AuditEvent

from .factories import make_report

URL = "/api/v1/harm-reports/bulk/"


@pytest.fixture
def reports(db):
    return [make_report()[0] for _ in range(3)]


def test_bulk_triage_reports_successes_and_refusals(api_client, harm_officer, reports):
    from harms import services

    a, b, c = reports
    services.harm_report_triage(actor=harm_officer, report=b, severity="low")
    api_client.force_login(harm_officer)
    response = api_client.post(
        URL,
        {"action": "triage", "severity": "severe", "reports": [a.pk, b.pk, c.pk, 999999]},
        format="json",
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["succeeded"] == [a.pk, c.pk]
    assert [r["id"] for r in body["refused"]] == [b.pk, 999999]
    states = dict(HarmReport.objects.values_list("pk", "severity"))
    assert states[a.pk] == states[c.pk] == "severe" and states[b.pk] == "low"
    assert AuditEvent.objects.filter(action="harm_report.triage").count() == 3


def test_bulk_assign_each_report_gets_its_own_handover(api_client, harm_officer, reports):
    from harms import cases

    a, b, c = reports
    cases.harm_report_assign_owner(actor=harm_officer, report=b, owner=harm_officer)
    api_client.force_login(harm_officer)
    response = api_client.post(
        URL,
        {"action": "assign_owner", "owner": harm_officer.pk, "reports": [a.pk, b.pk, c.pk]},
        format="json",
    )
    body = response.json()
    assert body["succeeded"] == [a.pk, c.pk]
    assert body["refused"][0]["id"] == b.pk and "already owns" in body["refused"][0]["reason"]
    assert HarmReport.objects.filter(owner=harm_officer).count() == 3
    assert AuditEvent.objects.filter(action="harm_report.assign_owner").count() == 3


@pytest.mark.parametrize(
    "payload",
    [
        {"action": "triage", "reports": [1]},
        {"action": "assign_owner", "reports": [1]},
        {"action": "delete", "reports": [1]},
        {"action": "triage", "severity": "low", "reports": []},
        {"action": "triage", "severity": "low", "reports": list(range(1, 102))},
    ],
)
def test_bulk_bad_input_is_400_and_changes_nothing(api_client, harm_officer, reports, payload):
    api_client.force_login(harm_officer)
    response = api_client.post(URL, payload, format="json")
    assert response.status_code == 400
    assert not HarmReport.objects.exclude(state="received").exists()


def test_bulk_assign_to_a_non_officer_is_refused(api_client, harm_officer, auditor, reports):
    api_client.force_login(harm_officer)
    response = api_client.post(
        URL,
        {"action": "assign_owner", "owner": auditor.pk, "reports": [r.pk for r in reports]},
        format="json",
    )
    assert response.status_code == 400
    assert not HarmReport.objects.filter(owner__isnull=False).exists()


@pytest.mark.parametrize("who", ["researcher", "auditor", "chair", "outsider"])
def test_bulk_refused_to_other_roles(request, api_client, who, reports):
    api_client.force_login(request.getfixturevalue(who))
    response = api_client.post(
        URL,
        {"action": "triage", "severity": "low", "reports": [r.pk for r in reports]},
        format="json",
    )
    assert response.status_code == 403
    assert not HarmReport.objects.exclude(state="received").exists()
