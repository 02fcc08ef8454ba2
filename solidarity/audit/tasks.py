import logging

from celery import shared_task

from .services import audit_verify

logger = logging.getLogger(__name__)


@shared_task
def verify_audit_chain() -> dict:
    """Nightly: recompute the chain and log loudly if a link is broken."""
    result = audit_verify()
    if not result.ok:
        logger.error("Audit chain broken at event %s: %s", result.broken_event_id, result.reason)
    return {"ok": result.ok, "checked": result.checked, "broken_event_id": result.broken_event_id}
