"""The stored next deadline (``next_due_at``) follows every move, and the migration fills it
for existing reports as ``harms.sla.next_due_at`` would."""

import importlib

from django.apps import apps

from harms import services, sla
from harms.models import HarmReport

from .factories import make_report


def _expected(report):
    return sla.next_due_from(
        state=report.state,
        acknowledged_at=report.acknowledged_at,
        acknowledge_due=report.acknowledge_due,
        triage_due=report.triage_due,
        decision_due=report.decision_due,
    )


def test_every_move_keeps_the_stored_deadline(client, harm_officer, receipt_code, report):
    assert report.next_due_at == report.acknowledge_due
    services.harm_report_acknowledge(actor=harm_officer, report=report, message="Read.")
    report.refresh_from_db()
    assert report.next_due_at == report.triage_due
    services.harm_report_triage(actor=harm_officer, report=report, severity="low")
    report.refresh_from_db()
    assert report.next_due_at == report.decision_due
    services.harm_report_close(actor=harm_officer, report=report, reasons="Not in scope.")
    report.refresh_from_db()
    assert report.next_due_at is None
    client.post("/harms/status/", {"code": receipt_code})
    client.post(f"/harms/{report.pk}/appeal/", {"appeal-grounds": "Please look again."})
    report.refresh_from_db()
    assert report.state == "investigating"
    assert report.next_due_at == report.decision_due and report.next_due_at is not None


def test_a_panel_message_acknowledges_and_moves_the_deadline(harm_officer, report):
    services.harm_message_post(actor=harm_officer, report=report, body="We read your report.")
    report.refresh_from_db()
    assert report.acknowledged_at is not None and report.next_due_at == report.triage_due


def test_the_migration_fills_the_deadline_of_existing_reports(harm_officer):
    make_report()
    acknowledged, _ = make_report()
    services.harm_report_acknowledge(actor=harm_officer, report=acknowledged, message="Read.")
    triaged, _ = make_report()
    services.harm_report_triage(actor=harm_officer, report=triaged, severity="low")
    closed, _ = make_report()
    services.harm_report_close(actor=harm_officer, report=closed, reasons="Out of scope.")
    HarmReport.objects.update(next_due_at=None)
    migration = importlib.import_module("harms.migrations.0005_harm_report_stored_next_deadline")
    migration.fill_next_due(apps, None)
    for report in HarmReport.objects.all():
        assert report.next_due_at == _expected(report), report.state
    assert HarmReport.objects.get(pk=closed.pk).next_due_at is None
