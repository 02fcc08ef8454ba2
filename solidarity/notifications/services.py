"""The notification outbox: in-app rows first, e-mail delivered after commit, retried."""

import logging
from datetime import timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from .models import Notification

logger = logging.getLogger(__name__)

MAX_EMAIL_ATTEMPTS = 8


def _render(kind: str, context: dict) -> tuple[str, str]:
    text = render_to_string(
        [f"notifications/email/{kind}.txt", "notifications/email/default.txt"], context
    ).strip()
    subject, _, body = text.partition("\n")
    return subject.strip()[:200], body.strip()


def notify(*, recipients, kind: str, context: dict, url: str = "") -> list[Notification]:
    """Write one in-app notification per recipient and queue each e-mail after commit.

    The e-mail is queued through Celery; if the broker is down the row stays pending in the
    outbox and the periodic retry delivers it later, so nothing is lost.
    """
    subject, body = _render(kind, context)
    created = []
    seen = set()
    for user in recipients:
        if user is None or user.pk in seen:
            continue
        seen.add(user.pk)
        state = Notification.EmailState.PENDING if user.email else Notification.EmailState.SKIPPED
        created.append(
            Notification.objects.create(
                recipient=user, kind=kind, subject=subject, body=body, url=url, email_state=state
            )
        )
    ids = [n.pk for n in created if n.email_state == Notification.EmailState.PENDING]
    if ids:
        transaction.on_commit(lambda: _enqueue(ids))
    return created


def _enqueue(ids: list[int]) -> None:
    from .tasks import deliver_email

    for pk in ids:
        try:
            deliver_email.delay(pk)
        except Exception:  # broker down: the outbox keeps the row for the periodic retry
            logger.warning("Could not queue e-mail for notification %s; it stays in the outbox", pk)


def notification_deliver(*, notification_id: int) -> bool:
    """Send one pending e-mail; idempotent, so a retried task never sends twice.

    Only the outbox row is locked (``of=("self",)``): locking the recipient's user row too
    would make a concurrent delivery to the same person skip its own row and wait for beat.
    """
    with transaction.atomic():
        notification = (
            Notification.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("recipient")
            .filter(pk=notification_id, email_state=Notification.EmailState.PENDING)
            .first()
        )
        if notification is None:
            return False
        notification.email_attempts += 1
        try:
            send_mail(
                notification.subject,
                notification.body
                + (f"\n\n{settings.SITE_URL}{notification.url}" if notification.url else ""),
                None,
                [notification.recipient.email],
            )
        except Exception as exc:
            notification.email_last_error = str(exc)[:1000]
            if notification.email_attempts >= MAX_EMAIL_ATTEMPTS:
                notification.email_state = Notification.EmailState.FAILED
            notification.save(update_fields=["email_attempts", "email_last_error", "email_state"])
            return False
        notification.email_state = Notification.EmailState.SENT
        notification.email_sent_at = timezone.now()
        notification.save(update_fields=["email_attempts", "email_state", "email_sent_at"])
        return True


def outbox_retry(*, older_than_seconds: int | None = None) -> int:
    """Deliver e-mails that have waited in the outbox; returns how many were sent."""
    wait = (
        settings.NOTIFICATION_RETRY_AFTER_SECONDS
        if older_than_seconds is None
        else older_than_seconds
    )
    cutoff = timezone.now() - timedelta(seconds=wait)
    ids = list(
        Notification.objects.filter(
            email_state=Notification.EmailState.PENDING, created_at__lte=cutoff
        ).values_list("pk", flat=True)[:500]
    )
    return sum(1 for pk in ids if notification_deliver(notification_id=pk))


def notification_mark_read(*, actor, notification_ids=None) -> int:
    """Mark the actor's notifications read (all unread ones when no ids are given)."""
    qs = Notification.objects.filter(recipient=actor, read_at__isnull=True)
    if notification_ids is not None:
        qs = qs.filter(pk__in=notification_ids)
    return qs.update(read_at=timezone.now())
