"""Periodic work of the benefits app; thin wrappers around idempotent services."""

from celery import shared_task

from . import services


@shared_task(autoretry_for=(Exception,), retry_backoff=True, max_retries=5)
def check_obligations() -> dict:
    """Daily: bring signed agreements of active projects into force, mark obligations
    overdue (telling both sides), and flag agreements in breach after their grace period."""
    entered = services.agreements_enter_force()
    overdue = services.obligations_mark_overdue()
    breached = services.agreements_flag_breaches()
    return {"in_force": entered, "overdue": len(overdue), "breached": len(breached)}
