"""Thin Celery tasks of the public register."""

from celery import shared_task


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=3)
def build_register_pdf() -> str:
    """Rebuild the whole register's PDF (``solidarity.register.printing``)."""
    from .printing import whole_register_build

    return str(whole_register_build())


@shared_task(ignore_result=True)
def refresh_harm_statistics() -> str:
    """Protect the register's and every project's harm statistics together for the current
    data and keep them (``selectors.refresh_harm_family``): readers are served the previous
    family meanwhile."""
    from .selectors import refresh_harm_family

    return refresh_harm_family()
