from celery import shared_task

from .services import backoff_seconds, webhook_deliver, webhook_retry_due


@shared_task(bind=True, max_retries=None, acks_late=True)
def deliver_webhook(self, delivery_id: int) -> str:
    """One attempt; a failure is retried with exponential backoff until the service gives up
    (``GRANTS_WEBHOOK_MAX_ATTEMPTS``). The beat task below catches what a lost worker left."""
    outcome = webhook_deliver(delivery_id=delivery_id)
    if outcome == "retry":
        raise self.retry(countdown=backoff_seconds(self.request.retries + 1))
    return outcome


@shared_task
def retry_due_webhooks() -> int:
    return webhook_retry_due()
