"""Nodes of a custodian: registered with secrets shown once, webhook changed, revoked."""

from urllib.parse import urlsplit

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from solidarity import audit
from solidarity.errors import DomainError, PermissionDenied, TransitionNotAllowed

from .. import crypto
from .. import permissions as perms
from ..models import DeliveryState, Node, WebhookDelivery
from .pushes import internal_address


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
    if not settings.GRANTS_WEBHOOK_ALLOW_INTERNAL and internal_address(parts.hostname):
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
