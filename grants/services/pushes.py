"""Pushes: an outbox row per node and grant change, delivered signed, retried with backoff."""

import datetime
import ipaddress
import json
import logging
import socket
import urllib.error
import urllib.request
from urllib.parse import urlsplit

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from solidarity import audit

from .. import crypto, webhooks
from ..models import DeliveryState, Grant, Node, WebhookDelivery

logger = logging.getLogger(__name__)


def push(grant: Grant, event: str) -> None:
    """An outbox row per node of the custodian with a webhook, queued after commit."""
    nodes = list(
        Node.objects.filter(organisation_id=grant.organisation_id, revoked_at__isnull=True).exclude(
            webhook_url=""
        )
    )
    if not nodes:
        return
    from ..serializers import GrantSerializer

    grant = Grant.objects.select_related("application", "dataset", "organisation", "user").get(
        pk=grant.pk
    )
    body = GrantSerializer(grant).data
    now = timezone.now()
    ids = []
    for node in nodes:
        delivery = WebhookDelivery(
            node=node, grant=grant, event=event, payload={}, next_attempt_at=now
        )
        delivery.payload = {
            "id": str(delivery.event_id),
            "type": event,
            "created_at": now.isoformat(),
            "grant": dict(body),
        }
        delivery.save()
        ids.append(delivery.pk)
    transaction.on_commit(lambda: _enqueue(ids))


def _enqueue(ids: list[int]) -> None:
    from ..tasks import deliver_webhook

    for pk in ids:
        try:
            deliver_webhook.delay(pk)
        except Exception:  # broker down: the row waits for the periodic retry
            logger.warning("Could not queue webhook delivery %s; it stays in the outbox", pk)


def backoff_seconds(attempts: int) -> int:
    """30 s, 60 s, 120 s, ... capped at an hour (``GRANTS_WEBHOOK_BACKOFF_SECONDS`` base)."""
    return min(settings.GRANTS_WEBHOOK_BACKOFF_SECONDS * 2 ** max(attempts - 1, 0), 3600)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # a redirect is a failure: the signed body goes only where it was sent


_opener = urllib.request.build_opener(_NoRedirect)


def internal_address(hostname: str) -> bool:
    """True when the name resolves to a loopback, private, link-local or reserved address."""
    try:
        infos = socket.getaddrinfo(hostname, None)
    except (socket.gaierror, UnicodeError):
        return False  # unresolvable: the request fails on its own
    for info in infos:
        address = ipaddress.ip_address(info[4][0].split("%")[0])
        if (
            address.is_private
            or address.is_loopback
            or address.is_link_local
            or address.is_reserved
            or address.is_multicast
            or address.is_unspecified
        ):
            return True
    return False


def _post(url: str, body: bytes, headers: dict) -> int:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        raise ValueError("Only http(s) webhook addresses are posted to.")
    if not settings.GRANTS_WEBHOOK_ALLOW_INTERNAL and internal_address(parts.hostname or ""):
        raise ValueError("The webhook address resolves to an internal network address.")
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")  # noqa: S310
    try:
        with _opener.open(request, timeout=settings.GRANTS_WEBHOOK_TIMEOUT_SECONDS) as response:
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code


def webhook_deliver(*, delivery_id: int, attempts_seen: int | None = None) -> str:
    """One attempt at a pending delivery: ``delivered``, ``retry``, ``failed`` or ``skipped``.

    The row is locked while the request is made, so concurrent workers never send the same
    event twice at once; the event id stays the same on every retry for the receiver's
    idempotency. ``attempts_seen`` (from the task chain) skips an attempt that another worker
    (the beat retry) already made. Reaching the final state (delivered or given up) is
    audited."""
    with transaction.atomic():
        delivery = (
            WebhookDelivery.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("node")
            .filter(pk=delivery_id, state=DeliveryState.PENDING)
            .first()
        )
        if delivery is None:
            return "skipped"
        if attempts_seen is not None and delivery.attempts != attempts_seen:
            return "skipped"
        node = delivery.node
        if not node.is_active or not node.webhook_url:
            delivery.state = DeliveryState.CANCELLED
            delivery.save(update_fields=["state"])
            return "skipped"
        body = json.dumps(delivery.payload, sort_keys=True, separators=(",", ":")).encode()
        stamp = int(timezone.now().timestamp())
        secret = crypto.decrypt(node.webhook_secret_encrypted).decode()
        headers = {
            "Content-Type": "application/json",
            "User-Agent": "Solidarity-Webhooks/1",
            webhooks.EVENT_HEADER: str(delivery.event_id),
            webhooks.TIMESTAMP_HEADER: str(stamp),
            webhooks.SIGNATURE_HEADER: webhooks.sign(secret, stamp, body),
        }
        delivery.attempts += 1
        status = None
        error = ""
        try:
            status = _post(node.webhook_url, body, headers)
        except Exception as exc:  # refused, timed out, DNS: all retried the same way
            error = f"{type(exc).__name__}: {exc}"[:1000]
        delivery.last_status = status
        if status is not None and 200 <= status < 300:
            delivery.state = DeliveryState.DELIVERED
            delivery.delivered_at = timezone.now()
            delivery.last_error = ""
            outcome = "delivered"
        else:
            delivery.last_error = error or f"HTTP {status}"
            if delivery.attempts >= settings.GRANTS_WEBHOOK_MAX_ATTEMPTS:
                delivery.state = DeliveryState.FAILED
                outcome = "failed"
            else:
                delivery.next_attempt_at = timezone.now() + datetime.timedelta(
                    seconds=backoff_seconds(delivery.attempts)
                )
                outcome = "retry"
        delivery.save(
            update_fields=[
                "attempts",
                "last_status",
                "last_error",
                "state",
                "delivered_at",
                "next_attempt_at",
            ]
        )
        if outcome in ("delivered", "failed"):
            audit.record(
                actor="system",
                action=f"webhook.{'deliver' if outcome == 'delivered' else 'fail'}",
                target=delivery,
                from_state=DeliveryState.PENDING,
                to_state=delivery.state,
                payload={
                    "node": node.pk,
                    "event_id": str(delivery.event_id),
                    "event": delivery.event,
                    "attempts": delivery.attempts,
                    "last_status": status,
                },
            )
        return outcome


def webhook_retry_due(*, limit: int = 500) -> int:
    """For beat: attempt pending deliveries whose next attempt is due; returns how many."""
    ids = list(
        WebhookDelivery.objects.filter(
            state=DeliveryState.PENDING, next_attempt_at__lte=timezone.now()
        )
        .order_by("next_attempt_at", "id")
        .values_list("pk", flat=True)[:limit]
    )
    return sum(1 for pk in ids if webhook_deliver(delivery_id=pk) == "delivered")
