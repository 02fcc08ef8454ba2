"""The notification outbox: in-app rows first, e-mail delivered after commit, retried."""

import logging
from collections.abc import Callable
from datetime import timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation

from .models import Notification

logger = logging.getLogger(__name__)

MAX_EMAIL_ATTEMPTS = 8


def _render(kind: str, context, language: str) -> tuple[str, str]:
    """Subject and body in ``language``.

    ``context`` is a dict, or a callable returning one: callers pass ``lambda: {...}`` so that
    the texts they build with ``gettext`` are built again in each recipient's language.
    """
    with translation.override(language):
        values = context() if callable(context) else context
        text = render_to_string(
            [f"notifications/email/{kind}.txt", "notifications/email/default.txt"], values
        ).strip()
    subject, _, body = text.partition("\n")
    return subject.strip()[:200], body.strip()


def notify(*, recipients, kind: str, context, url: str = "") -> list[Notification]:
    """Write one in-app notification per recipient and queue each e-mail after commit.

    Each recipient's row (and so their e-mail) is written in their own language
    (``language_of``); ``context`` may be a callable so the caller's texts follow it.
    The e-mail is queued through Celery; if the broker is down the row stays pending in the
    outbox and the periodic retry delivers it later, so nothing is lost.
    """
    from solidarity.accounts.language import language_of

    rendered: dict[str, tuple[str, str]] = {}
    created = []
    seen = set()
    for user in recipients:
        if user is None or user.pk in seen:
            continue
        seen.add(user.pk)
        language = language_of(user)
        if language not in rendered:
            rendered[language] = _render(kind, context, language)
        subject, body = rendered[language]
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


# Resolvers for e-mail to people without an account: prefix → callable(key) → address or "".
_address_resolvers: dict[str, Callable[[str], str]] = {}


def register_address_resolver(prefix: str, resolver: Callable[[str], str]) -> None:
    """An app that e-mails people without an account (``prefix:key``) says how to find them."""
    _address_resolvers[prefix] = resolver


def notify_address(*, address_key: str, kind: str, context, language: str = "") -> Notification:
    """Queue an e-mail to someone without an account through the same outbox as ``notify``.

    ``address_key`` is ``"<prefix>:<key>"`` for a registered resolver, which finds the address
    at send time (so it is never stored in clear). Nothing appears in anyone's inbox; the row
    is delivered after commit and, if the broker is down, by the periodic retry. The e-mail is
    in ``language`` (the one the person used), else the language active now.
    """
    prefix = address_key.partition(":")[0]
    if prefix not in _address_resolvers:
        raise ValueError(f"No address resolver for {prefix!r}")
    codes = [code for code, _name in settings.LANGUAGES]
    if language not in codes:
        active = translation.get_language() or settings.LANGUAGE_CODE
        language = translation.get_supported_language_variant(active)
    subject, body = _render(kind, context, language)
    notification = Notification.objects.create(
        recipient=None, address_key=address_key, kind=kind, subject=subject, body=body
    )
    transaction.on_commit(lambda: _enqueue([notification.pk]))
    return notification


def _address(notification: Notification) -> str:
    if notification.recipient_id:
        return notification.recipient.email
    prefix, _, key = notification.address_key.partition(":")
    resolver = _address_resolvers.get(prefix)
    return (resolver(key) or "") if resolver else ""


def _enqueue(ids: list[int]) -> None:
    from solidarity.queueing import enqueue

    from .tasks import deliver_email

    for pk in ids:
        # Broker down: the row stays pending in the outbox for the periodic retry.
        enqueue(deliver_email, pk, what=f"e-mail for notification {pk}")


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
        address = _address(notification)
        if not address:
            notification.email_state = Notification.EmailState.SKIPPED
            notification.save(update_fields=["email_state"])
            return False
        notification.email_attempts += 1
        try:
            send_mail(
                notification.subject,
                notification.body
                + (f"\n\n{settings.SITE_URL}{notification.url}" if notification.url else ""),
                None,
                [address],
            )
        except Exception as exc:
            notification.email_last_error = str(exc)[:1000]
            if notification.email_attempts >= MAX_EMAIL_ATTEMPTS:
                notification.email_state = Notification.EmailState.FAILED
                logger.error(
                    "E-mail for notification %s given up after %s attempts: %s",
                    notification.pk,
                    notification.email_attempts,
                    notification.email_last_error,
                )
            else:
                logger.warning("E-mail for notification %s failed: %s", notification.pk, exc)
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
    from .selectors import forget_unread

    qs = Notification.objects.filter(recipient=actor, read_at__isnull=True)
    if notification_ids is not None:
        qs = qs.filter(pk__in=notification_ids)
    marked = qs.update(read_at=timezone.now())
    if marked:
        forget_unread([actor.pk])  # update() sends no signal
    return marked
