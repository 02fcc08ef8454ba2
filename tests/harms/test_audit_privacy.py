from solidarity.audit.models import AuditEvent

from .factories import make_report


def test_the_audit_trail_never_names_a_signed_in_reporter(api_client, researcher, auditor):
    report, _code = make_report(actor=researcher)
    event = AuditEvent.objects.for_target(report).get(action="harm_report.create")
    assert event.actor_id is None
    assert event.actor_label == "reporter"
    api_client.force_authenticate(auditor)
    body = api_client.get("/api/v1/audit-events/", {"action": "harm_report"}).content.decode()
    assert researcher.username not in body
