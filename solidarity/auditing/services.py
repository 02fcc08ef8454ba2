"""Requesting and building PDF reports. Reports read the record; they change nothing else."""

import logging

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from solidarity import audit
from solidarity.errors import DomainError, PermissionDenied
from solidarity.pdf import render_pdf

from . import reports
from .models import ReportJob

logger = logging.getLogger(__name__)


def report_request(*, actor, kind: str, params: dict, archival: bool = False) -> ReportJob:
    """Queue a report for the actor; the Celery task builds it after commit.

    Raises PermissionDenied when the actor may not export this kind of report.
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

        def enqueue():
            from .tasks import build_report

            build_report.delay(job.pk)

        transaction.on_commit(enqueue)
    return job


def report_build(*, job_id: int) -> ReportJob | None:
    """Build one queued report; idempotent (a job that is not queued is left alone)."""
    with transaction.atomic():
        job = ReportJob.objects.select_for_update().filter(pk=job_id, state="queued").first()
        if job is None:
            return None
        job.state = ReportJob.State.RUNNING
        job.progress = 10
        job.save(update_fields=["state", "progress"])
        audit.record(
            actor="system",
            action="report.start",
            target=job,
            from_state=ReportJob.State.QUEUED,
            to_state=job.state,
            payload={"kind": job.kind},
        )
    try:
        built = reports.build(job.kind, job.params)
        context = {
            "report_title": built.title,
            "generated_by": job.requested_by.get_username(),
            **built.context,
        }
        job.progress = 60
        job.save(update_fields=["progress"])
        rendered = render_pdf(
            template=built.template, context=context, archival=job.archival, data=built.data
        )
    except Exception as exc:  # a failed build is recorded on the job, never lost silently
        logger.exception("Report %s failed", job.pk)
        with transaction.atomic():
            job.state = ReportJob.State.FAILED
            job.error = str(exc)[:2000]
            job.finished_at = timezone.now()
            job.save(update_fields=["state", "error", "finished_at"])
            audit.record(
                actor="system",
                action="report.fail",
                target=job,
                from_state=ReportJob.State.RUNNING,
                to_state=job.state,
                payload={"kind": job.kind},
            )
        return job
    name = f"{slugify(built.title)}-{job.pk}{'-pdfa' if job.archival else ''}.pdf"
    job.file.save(name, ContentFile(rendered.pdf), save=False)
    job.title = built.title
    job.size = len(rendered.pdf)
    with transaction.atomic():
        job.state = ReportJob.State.DONE
        job.progress = 100
        job.finished_at = timezone.now()
        job.save(update_fields=["file", "title", "size", "state", "progress", "finished_at"])
        audit.record(
            actor="system",
            action="report.build",
            target=job,
            from_state=ReportJob.State.RUNNING,
            to_state=job.state,
            payload={"kind": job.kind, "size": job.size, "archival": job.archival},
        )
    return job
