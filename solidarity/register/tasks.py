"""Thin Celery tasks of the public register."""

from celery import shared_task


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=3)
def build_register_pdf() -> str:
    """Rebuild the whole register's PDF (``solidarity.register.printing``)."""
    from .printing import whole_register_build

    return str(whole_register_build())
