"""Celery tasks: thin wrappers that call the services."""

from celery import shared_task
from django.utils import timezone

from . import services


@shared_task(autoretry_for=(Exception,), retry_backoff=True, max_retries=5)
def remind_due_reviews() -> int:
    """Daily: remind reviewers of assignments due within two days or overdue (idempotent)."""
    return services.assignment_remind_due(today=timezone.localdate())


@shared_task(autoretry_for=(Exception,), retry_backoff=True, max_retries=5)
def check_conditions_due() -> dict:
    """Daily: flag overdue conditions of approval and remind their owners (idempotent)."""
    return services.conditions_check_due(today=timezone.localdate())


@shared_task(autoretry_for=(Exception,), retry_backoff=True, max_retries=5)
def send_due_reminders() -> dict:
    """Daily: reminders before and on the due date of reviews, custodian decisions,
    conditions and obligations (idempotent: once per item and day)."""
    from .reminders import reminders_send

    return reminders_send(today=timezone.localdate())
