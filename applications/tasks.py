"""Celery tasks: thin wrappers that call the services."""

from celery import shared_task
from django.utils import timezone

from . import services


@shared_task(autoretry_for=(Exception,), retry_backoff=True, max_retries=5)
def expire_due_applications() -> dict:
    """Daily: close projects whose access expired; warn 30 and 7 days ahead (idempotent)."""
    return services.application_expire_due(today=timezone.localdate())
