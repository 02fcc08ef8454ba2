import logging

from celery import shared_task

from .services import backoff_seconds, webhook_deliver, webhook_retry_due

logger = logging.getLogger(__name__)


@shared_task(acks_late=True)
def deliver_webhook(delivery_id: int, attempts_seen: int = 0) -> str:
    """One attempt; after a failure the next one is queued with exponential backoff until the
    service gives up (``GRANTS_WEBHOOK_MAX_ATTEMPTS``). The outbox row is the truth: if the
    broker is down or a worker dies, the beat task below picks the row up when it is due, and
    an attempt it made first turns this chain's next message into a no-op."""
    outcome = webhook_deliver(delivery_id=delivery_id, attempts_seen=attempts_seen)
    if outcome == "retry":
        attempts = attempts_seen + 1
        try:
            deliver_webhook.apply_async(
                (delivery_id, attempts), countdown=backoff_seconds(attempts)
            )
        except Exception:  # broker gone: beat retries from the outbox
            logger.warning("Could not queue the next attempt of webhook delivery %s", delivery_id)
    return outcome


@shared_task
def retry_due_webhooks() -> int:
    return webhook_retry_due()
