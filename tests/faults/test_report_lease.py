"""A worker that dies mid-build never leaves a report "being built" forever: the job's lease
expires, another attempt takes over, and after the last attempt it fails visibly."""

import pytest
from django.urls import reverse
from django.utils import timezone

from solidarity.audit.models import AuditEvent
from solidarity.auditing.models import ReportJob
from solidarity.auditing.tasks import build_report, recover_report_jobs


class WorkerKilled(BaseException):
    """What the build sees of ``kill -9``: it stops in the middle, nothing is cleaned up."""


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def requested(client, auditor, broker, media):
    """A report requested while no worker took it yet (the broker holds the message)."""
    client.force_login(auditor)
    today = timezone.localdate().isoformat()
    broker.down()
    response = client.post(
        reverse("auditing:reports"), {"kind": "audit_extract", "start": today, "end": today}
    )
    assert response.status_code == 302
    broker.back()
    return ReportJob.objects.get()


def _worker_dies_mid_build(job, monkeypatch, settings, *, lease_seconds=0):
    settings.REPORT_LEASE_SECONDS = lease_seconds

    def killed(**kwargs):
        raise WorkerKilled

    with monkeypatch.context() as patch:
        patch.setattr("solidarity.auditing.services.render_pdf", killed)
        with pytest.raises(WorkerKilled):
            build_report(job.pk)
    settings.REPORT_LEASE_SECONDS = 600
    job.refresh_from_db()
    assert job.state == "running" and job.progress == 60


def test_a_job_whose_worker_died_is_taken_over_and_done(client, requested, monkeypatch, settings):
    _worker_dies_mid_build(requested, monkeypatch, settings)
    page = client.get(reverse("auditing:report-detail", args=[requested.pk]))
    assert "Being built" in page.content.decode()
    recover_report_jobs.apply()
    requested.refresh_from_db()
    assert requested.state == "done" and requested.attempts == 2
    download = client.get(reverse("auditing:report-download", args=[requested.pk]))
    assert download.status_code == 200
    actions = list(AuditEvent.objects.for_target(requested).values_list("action", flat=True))
    assert actions == ["report.request", "report.start", "report.start", "report.build"]


def test_a_redelivered_task_takes_over_an_expired_job(client, requested, monkeypatch, settings):
    _worker_dies_mid_build(requested, monkeypatch, settings)
    assert build_report.apply(args=[requested.pk]).get() == "done"


def test_a_live_lease_is_not_taken_over(client, requested, monkeypatch, settings):
    _worker_dies_mid_build(requested, monkeypatch, settings, lease_seconds=600)
    assert build_report.apply(args=[requested.pk]).get() is None
    recover_report_jobs.apply()
    requested.refresh_from_db()
    assert requested.state == "running" and requested.attempts == 1


def test_a_job_that_keeps_dying_fails_visibly_and_can_be_rebuilt(
    client, requested, monkeypatch, settings, django_capture_on_commit_callbacks
):
    settings.REPORT_MAX_ATTEMPTS = 2
    _worker_dies_mid_build(requested, monkeypatch, settings)
    _worker_dies_mid_build(requested, monkeypatch, settings)
    recover_report_jobs.apply()
    requested.refresh_from_db()
    assert requested.state == "failed" and requested.attempts == 2
    page = client.get(reverse("auditing:report-detail", args=[requested.pk])).content.decode()
    assert "could not be built" in page
    rebuild = reverse("auditing:report-rebuild", args=[requested.pk])
    assert rebuild in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(rebuild)
    again = ReportJob.objects.exclude(pk=requested.pk).get()
    assert response.status_code == 302
    assert response.url == reverse("auditing:report-detail", args=[again.pk])
    assert again.state == "done"


def test_only_the_requester_may_rebuild(client, requested, monkeypatch, settings, other_auditor):
    settings.REPORT_MAX_ATTEMPTS = 1
    _worker_dies_mid_build(requested, monkeypatch, settings)
    recover_report_jobs.apply()
    client.force_login(other_auditor)
    assert client.post(reverse("auditing:report-rebuild", args=[requested.pk])).status_code == 404
    assert ReportJob.objects.count() == 1


def test_a_done_report_whose_file_is_missing_answers_404(client, requested):
    build_report.apply(args=[requested.pk])
    requested.refresh_from_db()
    assert requested.state == "done"
    requested.file.storage.delete(requested.file.name)
    response = client.get(reverse("auditing:report-download", args=[requested.pk]))
    assert response.status_code == 404


def test_every_move_of_a_job_is_a_declared_move_of_the_report_rulebook(
    client, requested, monkeypatch, settings
):
    """Start, take-over, failure and build are declared once in ``auditing/rules.py``; the
    audit trail names only declared moves, each from the state the job was in."""
    from solidarity.auditing.rules import REPORT_JOB

    settings.REPORT_MAX_ATTEMPTS = 2
    _worker_dies_mid_build(requested, monkeypatch, settings)
    _worker_dies_mid_build(requested, monkeypatch, settings)
    recover_report_jobs.apply()
    events = AuditEvent.objects.for_target(requested).exclude(action="report.request")
    moves = [(e.action, e.from_state, e.to_state) for e in events.order_by("id")]
    assert moves == [
        ("report.start", "queued", "running"),
        ("report.start", "running", "running"),
        ("report.fail", "running", "failed"),
    ]
    declared = {(t.action, s, t.target) for t in REPORT_JOB for s in t.sources if t.target}
    assert set(moves) <= declared
    assert all(not t.offered for t in REPORT_JOB if t.target)  # the worker's moves only


def test_a_report_that_is_ready_is_not_built_again(client, requested):
    build_report.apply(args=[requested.pk])
    page = client.get(reverse("auditing:report-detail", args=[requested.pk])).content.decode()
    rebuild = reverse("auditing:report-rebuild", args=[requested.pk])
    assert rebuild not in page
    response = client.post(rebuild, follow=True)
    assert "cannot be built again" in response.content.decode()
    assert ReportJob.objects.count() == 1
