from celery import shared_task

from .services import report_build, report_jobs_recover


@shared_task(bind=True, max_retries=2, default_retry_delay=10, retry_backoff=True)
def build_report(self, job_id: int) -> str | None:
    """Idempotent: a duplicate or redelivered message finds the job taken and does nothing,
    unless the job's lease expired (its worker died), in which case it takes over."""
    job = report_build(job_id=job_id)
    return job.state if job else None


@shared_task
def recover_report_jobs() -> dict:
    return report_jobs_recover()
