from celery import shared_task

from .services import report_build


@shared_task(bind=True, max_retries=2, default_retry_delay=10)
def build_report(self, job_id: int) -> str | None:
    job = report_build(job_id=job_id)
    return job.state if job else None
