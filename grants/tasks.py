import logging

from celery import shared_task

from .services import backoff_seconds, webhook_deliver, webhook_retry_due

logger = logging.getLogger(__name__)


@shared_task(acks_late=True)
def deliver_webhook(delivery_id: int, attempt: int = 1) -> str:
    """One attempt; after a failure the next one is queued with exponential backoff until the
    service gives up (``GRANTS_WEBHOOK_MAX_ATTEMPTS``). The outbox row is the truth: if the
    broker is down or a worker dies, the beat task below picks the row up when it is due."""
    outcome = webhook_deliver(delivery_id=delivery_id)
    if outcome == "retry":
        try:
            deliver_webhook.apply_async(
                (delivery_id, attempt + 1), countdown=backoff_seconds(attempt)
            )
        except Exception:  # broker gone: beat retries from the outbox
            logger.warning("Could not queue the next attempt of webhook delivery %s", delivery_id)
    return outcome


@shared_task
def retry_due_webhooks() -> int:
    return webhook_retry_due()
