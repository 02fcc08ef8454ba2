"""Every change to grants, nodes, pushes and runs: one transaction, one audit event each."""

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
from django.utils.translation import gettext as _

from applications.models import Application, ApplicationState, DatasetRequest
from solidarity import audit
from solidarity.errors import DomainError, PermissionDenied, TransitionNotAllowed
from solidarity.notifications.services import notify

from . import crypto, webhooks
from . import permissions as perms
from .models import (
    DeliveryState,
    EndReason,
    Grant,
    Node,
    Run,
    RunStatus,
    Verdict,
    WebhookDelivery,
)

logger = logging.getLogger(__name__)

# ---- grants ------------------------------------------------------------------------------

END_REASONS = {
    "suspended": EndReason.SUSPENDED,
    "revoked": EndReason.REVOKED,
    "expired": EndReason.EXPIRED,
    "closed": EndReason.CLOSED,
    "amended": EndReason.AMENDED,
}


def project_members(application) -> list:
    """The accounts that hold grants in a project.

    Team members are names and e-mail addresses without an account relation today, so only
    the applicant holds grants; when team members gain accounts, they join here."""
    applicant = application.applicant
    return [applicant] if applicant.is_active else []


def on_project_changed(*, application, event: str, actor) -> None:
    """The listener ``applications.lifecycle`` calls inside each project-life transaction."""
    if event in ("activated", "reinstated"):
        grants_open(application=application, actor=actor)
    elif event in END_REASONS:
        grants_end(application=application, reason=END_REASONS[event], actor=actor)


def grants_open(*, application, actor) -> list[Grant]:
    """An active project: a current grant for each member and granted dataset request.

    New pairs are added; ended grants of pairs still granted resume. Each change is audited
    and pushed to the custodian's nodes after commit."""
    if application.state != ApplicationState.ACTIVE:
        raise TransitionNotAllowed(_("Grants open only on an active project."))
    now = timezone.now()
    members = project_members(application)
    requests = list(
        DatasetRequest.objects.filter(
            application_id=application.pk, state=DatasetRequest.State.GRANTED
        ).select_related("dataset")
    )
    existing = {
        (g.dataset_id, g.user_id): g
        for g in Grant.objects.select_for_update(no_key=True).filter(application_id=application.pk)
    }
    changed = []
    for request in requests:
        for member in members:
            grant = existing.get((request.dataset_id, member.pk))
            if grant is None:
                grant = Grant.objects.create(
                    application_id=application.pk,
                    dataset_request=request,
                    dataset_id=request.dataset_id,
                    organisation_id=request.dataset.custodian_id,
                    user=member,
                    access_mode=request.access_mode,
                    started_at=now,
                    expires_on=application.access_expires_on,
                    updated_at=now,
                )
                _changed(grant, actor=actor, action="grant.add", event="grant.added")
            elif grant.ended_at is not None:
                previous = grant.end_reason
                grant.ended_at = None
                grant.end_reason = ""
                grant.resumed_at = now
                grant.dataset_request = request
                grant.access_mode = request.access_mode
                grant.expires_on = application.access_expires_on
                grant.updated_at = now
                grant.save(
                    update_fields=[
                        "ended_at",
                        "end_reason",
                        "resumed_at",
                        "dataset_request",
                        "access_mode",
                        "expires_on",
                        "updated_at",
                    ]
                )
                _changed(
                    grant,
                    actor=actor,
                    action="grant.resume",
                    event="grant.resumed",
                    payload={"ended_for": previous},
                )
            else:
                continue  # already current
            changed.append(grant)
    return changed


def grants_end(*, application, reason: str, actor) -> list[Grant]:
    """End every current grant of a project with the reason; audited and pushed."""
    now = timezone.now()
    ended = []
    for grant in Grant.objects.select_for_update(no_key=True).filter(
        application_id=application.pk, ended_at__isnull=True
    ):
        grant.ended_at = now
        grant.end_reason = reason
        grant.updated_at = now
        grant.save(update_fields=["ended_at", "end_reason", "updated_at"])
        _changed(grant, actor=actor, action="grant.end", event="grant.ended")
        ended.append(grant)
    return ended


def _changed(grant: Grant, *, actor, action: str, event: str, payload=None) -> None:
    audit.record(
        actor=actor,
        action=action,
        target=grant,
        payload={
            "application": grant.application_id,
            "dataset": grant.dataset_id,
            "user": grant.user_id,
            "end_reason": grant.end_reason,
            **(payload or {}),
        },
    )
    _push(grant, event)


# ---- pushes ------------------------------------------------------------------------------


def _push(grant: Grant, event: str) -> None:
    """An outbox row per node of the custodian with a webhook, queued after commit."""
    nodes = list(
        Node.objects.filter(organisation_id=grant.organisation_id, revoked_at__isnull=True).exclude(
            webhook_url=""
        )
    )
    if not nodes:
        return
    from .serializers import GrantSerializer

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
    from .tasks import deliver_webhook

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


def _internal_address(hostname: str) -> bool:
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
    if not settings.GRANTS_WEBHOOK_ALLOW_INTERNAL and _internal_address(parts.hostname or ""):
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


# ---- nodes -------------------------------------------------------------------------------


def _clean_webhook_url(url: str) -> str:
    url = (url or "").strip()
    if not url:
        return ""
    parts = urlsplit(url)
    schemes = ("https", "http") if settings.GRANTS_WEBHOOK_ALLOW_HTTP else ("https",)
    if parts.scheme not in schemes or not parts.hostname or parts.username or parts.password:
        message = (
            _("Use an https:// address without user name or password.")
            if "http" not in schemes
            else _("Use an http:// or https:// address without user name or password.")
        )
        raise DomainError(message, field_errors={"webhook_url": [message]})
    if len(url) > 500:
        message = _("The address is too long.")
        raise DomainError(message, field_errors={"webhook_url": [message]})
    if not settings.GRANTS_WEBHOOK_ALLOW_INTERNAL and _internal_address(parts.hostname):
        message = _("The address must not be on an internal network.")
        raise DomainError(message, field_errors={"webhook_url": [message]})
    return url


@transaction.atomic
def node_register(*, actor, organisation, name: str, webhook_url: str = ""):
    """A custodian registers a node of their organisation.

    Returns (node, credential, webhook secret): both secrets are shown once and never again;
    only the credential's hash and the encrypted webhook secret are kept. Audited."""
    if not perms.can_manage_nodes(actor, organisation):
        raise PermissionDenied(_("Only a custodian of this organisation may register its nodes."))
    name = (name or "").strip()
    if not name:
        message = _("Name the node.")
        raise DomainError(message, field_errors={"name": [message]})
    if len(name) > 200:
        message = _("The name is too long.")
        raise DomainError(message, field_errors={"name": [message]})
    webhook_url = _clean_webhook_url(webhook_url)
    credential, prefix, digest = crypto.new_credential()
    webhook_secret = crypto.new_webhook_secret()
    node = Node.objects.create(
        organisation=organisation,
        name=name,
        webhook_url=webhook_url,
        credential_prefix=prefix,
        credential_hash=digest,
        webhook_secret_encrypted=crypto.encrypt(webhook_secret.encode()),
        created_by=actor,
    )
    audit.record(
        actor=actor,
        action="node.register",
        target=node,
        payload={
            "organisation": organisation.pk,
            "name": name,
            "webhook_url": webhook_url,
            "credential_prefix": prefix,
        },
    )
    return node, credential, webhook_secret


def _locked_node(node) -> Node:
    # NO KEY UPDATE: pushes being queued concurrently only take a key-share lock on the node.
    return (
        Node.objects.select_for_update(no_key=True, of=("self",))
        .select_related("organisation")
        .get(pk=node.pk)
    )


@transaction.atomic
def node_update_webhook(*, actor, node, webhook_url: str) -> Node:
    """Change (or clear) where a node receives pushes. Audited."""
    node = _locked_node(node)
    if not perms.can_manage_nodes(actor, node.organisation):
        raise PermissionDenied(_("Only a custodian of this organisation may change its nodes."))
    if not node.is_active:
        raise TransitionNotAllowed(_("A revoked node cannot be changed."))
    old = node.webhook_url
    node.webhook_url = _clean_webhook_url(webhook_url)
    node.save(update_fields=["webhook_url"])
    audit.record(
        actor=actor,
        action="node.webhook",
        target=node,
        payload={"from": old, "to": node.webhook_url},
    )
    return node


@transaction.atomic
def node_revoke(*, actor, node, reason: str = "") -> Node:
    """Revoke a node's credential for good; its pending pushes are cancelled. Audited."""
    node = _locked_node(node)
    if not perms.can_manage_nodes(actor, node.organisation):
        raise PermissionDenied(_("Only a custodian of this organisation may revoke its nodes."))
    if not node.is_active:
        raise TransitionNotAllowed(_("This node is already revoked."))
    node.revoked_at = timezone.now()
    node.revoked_by = actor
    node.save(update_fields=["revoked_at", "revoked_by"])
    cancelled = WebhookDelivery.objects.filter(node=node, state=DeliveryState.PENDING).update(
        state=DeliveryState.CANCELLED
    )
    audit.record(
        actor=actor,
        action="node.revoke",
        target=node,
        from_state="active",
        to_state="revoked",
        payload={"reason": (reason or "").strip()[:1000], "cancelled_deliveries": cancelled},
    )
    return node


# ---- runs --------------------------------------------------------------------------------

CLOCK_SKEW = datetime.timedelta(minutes=5)


def node_label(node) -> str:
    return f"node:{node.pk}:{node.name}"[:150]


@transaction.atomic
def run_report(
    *,
    node,
    grant_id: int,
    ran_at: datetime.datetime,
    verdict: str,
    script_sha256: str = "",
    job_reference: str = "",
    outputs=None,
) -> Run:
    """A node reports an analysis run against a grant of its organisation.

    A run under a grant that has ended (or before it began) is recorded as refused and its
    custodians are told; the caller answers 409 for it. Audited either way."""
    application_id = (
        Grant.objects.filter(pk=grant_id, organisation_id=node.organisation_id)
        .values_list("application_id", flat=True)
        .first()
    )
    if application_id is None:  # another organisation's grant looks exactly like a missing one
        message = _("Unknown grant.")
        raise DomainError(message, field_errors={"grant": [message]})
    # The project first, as every project-life change does (and the audit chain head last):
    # a run then waits for a suspension in progress and sees its grant ended, and the run's
    # deferred foreign-key check at commit never waits on a project whose change waits on us.
    Application.objects.select_for_update(no_key=True).filter(pk=application_id).first()
    grant = Grant.objects.select_related("application").get(pk=grant_id)
    if verdict not in Verdict.values:
        message = _("Unknown verdict.")
        raise DomainError(message, field_errors={"verdict": [message]})
    if not (script_sha256 or job_reference):
        message = _("Give the script's SHA-256 or the job reference.")
        raise DomainError(message, field_errors={"script_sha256": [message]})
    if ran_at > timezone.now() + CLOCK_SKEW:
        message = _("A run cannot be in the future.")
        raise DomainError(message, field_errors={"ran_at": [message]})
    refusal = ""
    if grant.ended_at is not None:
        refusal = _("The grant ended on %(when)s (%(reason)s).") % {
            "when": grant.ended_at.isoformat(),
            "reason": grant.get_end_reason_display(),
        }
    elif ran_at < grant.started_at - CLOCK_SKEW:
        refusal = _("The run predates the grant.")
    run = Run.objects.create(
        node=node,
        grant=grant,
        application_id=grant.application_id,
        ran_at=ran_at,
        script_sha256=script_sha256,
        job_reference=job_reference,
        outputs=list(outputs or []),
        verdict=verdict,
        status=RunStatus.REFUSED if refusal else RunStatus.ACCEPTED,
        refusal_reason=refusal,
    )
    audit.record(
        actor=node_label(node),
        action="run.refuse" if refusal else "run.report",
        target=run,
        payload={
            "node": node.pk,
            "grant": grant.pk,
            "application": grant.application_id,
            "verdict": verdict,
            "script_sha256": script_sha256,
            "job_reference": job_reference,
            "outputs": len(run.outputs),
            "refusal": refusal,
        },
    )
    if refusal or verdict == Verdict.NEEDS_REVIEW:
        _tell_custodians(
            grant,
            _("Run %(run)s on %(ref)s: %(what)s")
            % {
                "run": run.pk,
                "ref": grant.application.reference,
                "what": refusal or run.get_verdict_display(),
            },
            f"/grants/projects/{grant.application_id}/",
        )
    return run


def _tell_custodians(grant, subject: str, url: str) -> None:
    from django.contrib.auth import get_user_model

    from solidarity.accounts.roles import Role

    recipients = list(
        get_user_model()
        .objects.filter(
            memberships__organisation_id=grant.organisation_id,
            groups__name=Role.CUSTODIAN,
            is_active=True,
        )
        .distinct()
    )
    notify(
        recipients=recipients,
        kind="grants",
        context={"subject": subject, "body": subject},
        url=url,
    )


@transaction.atomic
def run_flag(*, actor, run, reason: str) -> Run:
    """A custodian of the grant's organisation flags a run for the committee. Audited; the
    chair is told."""
    run = (
        Run.objects.select_for_update(of=("self",))
        .select_related("grant", "application")
        .get(pk=run.pk)
    )
    if not perms.can_flag_run(actor, run):
        raise PermissionDenied(_("Only a custodian of the dataset may flag this run."))
    if run.flagged_at is not None:
        raise TransitionNotAllowed(_("This run is already flagged."))
    reason = (reason or "").strip()
    if not reason:
        message = _("Say why the run is flagged.")
        raise DomainError(message, field_errors={"reason": [message]})
    run.flagged_at = timezone.now()
    run.flagged_by = actor
    run.flag_reason = reason
    run.save(update_fields=["flagged_at", "flagged_by", "flag_reason"])
    audit.record(
        actor=actor,
        action="run.flag",
        target=run,
        payload={"reason": reason, "application": run.application_id},
    )
    from django.contrib.auth import get_user_model

    from solidarity.accounts.roles import Role

    chairs = list(
        get_user_model().objects.filter(groups__name=Role.CHAIR, is_active=True).distinct()
    )
    notify(
        recipients=chairs,
        kind="grants",
        context={
            "subject": _("Run %(run)s on %(ref)s flagged")
            % {"run": run.pk, "ref": run.application.reference},
            "body": reason,
        },
        url=f"/grants/projects/{run.application_id}/",
    )
    return run
