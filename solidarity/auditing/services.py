"""Requesting and building PDF reports. Reports read the record; they change nothing else."""

import logging
from datetime import timedelta

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.text import slugify

from solidarity import audit
from solidarity.errors import DomainError, PermissionDenied
from solidarity.pdf import render_pdf
from solidarity.queueing import enqueue
from solidarity.transitions import transition_run

from . import reports
from .models import ReportJob
from .rules import REPORT_JOB

logger = logging.getLogger(__name__)


def report_request(*, actor, kind: str, params: dict, archival: bool = False) -> ReportJob:
    """Queue a report for the actor; the Celery task builds it after commit.

    Raises PermissionDenied when the actor may not export this kind of report. If the broker
    is down the job stays queued and ``report_jobs_recover`` (beat) sends it once it is back.
    """
    if not reports.can_export(actor, kind):
        raise PermissionDenied("You may not export this report.")
    if kind not in reports.BUILDERS:
        raise DomainError("This report is not available.")
    with transaction.atomic():
        job = ReportJob.objects.create(
            kind=kind, params=params, archival=archival, requested_by=actor
        )
        audit.record(
            actor=actor,
            action="report.request",
            target=job,
            to_state=job.state,
            payload={"kind": kind, "params": params, "archival": archival},
        )
        transaction.on_commit(lambda: _enqueue(job.pk))
    return job


def _enqueue(job_id: int) -> None:
    from .tasks import build_report

    # Marked first: an eager (embedded) build finishes inside enqueue().
    ReportJob.objects.filter(pk=job_id).update(enqueued_at=timezone.now())
    if not enqueue(build_report, job_id, what=f"report job {job_id}"):
        ReportJob.objects.filter(pk=job_id).update(enqueued_at=None)


def report_rebuild(*, actor, job: ReportJob) -> ReportJob:
    """Request the same report again after a failed build (the failed job stays as it is)."""
    REPORT_JOB.check("rebuild", actor=actor, obj=job)
    return report_request(actor=actor, kind=job.kind, params=job.params, archival=job.archival)


def _lease_deadline():
    return timezone.now() + timedelta(seconds=settings.REPORT_LEASE_SECONDS)


def _fail(job: ReportJob, *, error: str) -> None:
    """running → failed, audited; the caller holds the job's row lock."""
    transition_run(
        REPORT_JOB,
        "fail",
        actor="system",
        obj=job,
        lock=False,
        changes={"error": error[:2000], "finished_at": timezone.now(), "lease_expires_at": None},
        payload={"kind": job.kind, "attempts": job.attempts},
    )


def _heartbeat(job: ReportJob, progress: int) -> None:
    job.progress = progress
    job.lease_expires_at = _lease_deadline()
    ReportJob.objects.filter(pk=job.pk, state=ReportJob.State.RUNNING).update(
        progress=progress, lease_expires_at=job.lease_expires_at
    )


def _claim(job_id: int) -> ReportJob | None:
    """Take a queued job, or a running one whose lease expired (its worker died).

    An expired job that has used its attempts is failed instead. Returns the claimed job."""
    now = timezone.now()
    with transaction.atomic():
        job = (
            ReportJob.objects.select_for_update(skip_locked=True)
            .filter(pk=job_id)
            .filter(
                Q(state=ReportJob.State.QUEUED)
                | Q(state=ReportJob.State.RUNNING, lease_expires_at__lt=now)
            )
            .first()
        )
        if job is None or not REPORT_JOB.in_source_state("start", job):
            return None
        if REPORT_JOB.in_source_state("fail", job) and job.attempts >= settings.REPORT_MAX_ATTEMPTS:
            logger.error("Report %s failed: its worker stopped %s times", job.pk, job.attempts)
            _fail(job, error=f"The build stopped {job.attempts} times without finishing.")
            return None
        job = transition_run(
            REPORT_JOB,
            "start",
            actor="system",
            obj=job,
            lock=False,
            changes={
                "progress": 10,
                "attempts": job.attempts + 1,
                "lease_expires_at": _lease_deadline(),
            },
            payload={"kind": job.kind, "attempt": job.attempts + 1},
        )
    return job


def report_build(*, job_id: int) -> ReportJob | None:
    """Build one report; idempotent (a job that is done, failed or being built under a live
    lease is left alone). A redelivered task takes over a job whose lease expired."""
    job = _claim(job_id)
    if job is None:
        return None
    try:
        built = reports.build(job.kind, job.params)
        context = {
            "report_title": built.title,
            "generated_by": job.requested_by.get_username(),
            **built.context,
        }
        _heartbeat(job, 60)
        rendered = render_pdf(
            template=built.template, context=context, archival=job.archival, data=built.data
        )
    except Exception as exc:  # a failed build is recorded on the job, never lost silently
        logger.exception("Report %s failed", job.pk)
        with transaction.atomic():
            job = ReportJob.objects.select_for_update().get(pk=job.pk)
            if REPORT_JOB.in_source_state("fail", job):
                _fail(job, error=str(exc))
        return job
    name = f"{slugify(built.title)}-{job.pk}{'-pdfa' if job.archival else ''}.pdf"
    job.file.save(name, ContentFile(rendered.pdf), save=False)
    job.title = built.title
    job.size = len(rendered.pdf)
    with transaction.atomic():
        if (
            not ReportJob.objects.select_for_update()
            .filter(pk=job.pk, state=ReportJob.State.RUNNING, attempts=job.attempts)
            .exists()
        ):
            # Our lease expired and another attempt took over (or failed the job): theirs wins.
            job.file.delete(save=False)
            return None
        job = transition_run(
            REPORT_JOB,
            "build",
            actor="system",
            obj=job,
            lock=False,
            changes={
                "file": job.file,
                "title": job.title,
                "size": job.size,
                "progress": 100,
                "finished_at": timezone.now(),
                "lease_expires_at": None,
            },
            payload={"kind": job.kind, "size": job.size, "archival": job.archival},
        )
    return job


def report_jobs_recover() -> dict:
    """Periodic (beat): send again what a broker outage or a dead worker left behind.

    Queued jobs never handed to the broker (or handed long ago and still waiting) are sent
    again; running jobs whose lease expired are sent again to be taken over, or failed when
    they used their attempts. Idempotent: a duplicate message finds nothing to do."""
    now = timezone.now()
    stale = now - timedelta(seconds=settings.REPORT_REQUEUE_AFTER_SECONDS)
    queued = list(
        ReportJob.objects.filter(state=ReportJob.State.QUEUED)
        .filter(Q(enqueued_at__isnull=True) | Q(enqueued_at__lt=stale))
        .values_list("pk", flat=True)[:200]
    )
    expired = list(
        ReportJob.objects.filter(
            state=ReportJob.State.RUNNING, lease_expires_at__lt=now
        ).values_list("pk", flat=True)[:200]
    )
    for pk in expired:
        if ReportJob.objects.filter(pk=pk, attempts__gte=settings.REPORT_MAX_ATTEMPTS).exists():
            _claim(pk)  # fails it visibly
        else:
            _enqueue(pk)
    for pk in queued:
        _enqueue(pk)
    return {"queued": len(queued), "expired": len(expired)}
