from celery import shared_task

from .services import notification_deliver, outbox_retry


@shared_task(bind=True, max_retries=5, default_retry_delay=30, retry_backoff=True)
def deliver_email(self, notification_id: int) -> bool:
    return notification_deliver(notification_id=notification_id)


@shared_task
def retry_undelivered_email() -> int:
    return outbox_retry()
