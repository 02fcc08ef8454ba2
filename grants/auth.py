"""Node credentials for the API: ``Authorization: Bearer sol_node_<prefix>.<secret>``.

Only the node endpoints list this class, so a node credential opens nothing else."""

import datetime

from django.utils import timezone
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions

from . import crypto
from .models import Node


class NodePrincipal:
    """Stands for the node as ``request.user``: authenticated, with no role and no perms."""

    is_authenticated = True
    is_anonymous = False
    is_active = True
    is_staff = False
    is_superuser = False
    pk = None
    id = None
    roles: frozenset = frozenset()

    def __init__(self, node: Node):
        self.node = node

    def __str__(self) -> str:
        return f"node {self.node.name}"

    def get_username(self) -> str:
        return f"node:{self.node.pk}"

    def has_role(self, *roles) -> bool:
        return False

    def has_perm(self, *args, **kwargs) -> bool:
        return False


class NodeAuthentication(authentication.BaseAuthentication):
    keyword = "Bearer"

    def authenticate(self, request):
        parts = authentication.get_authorization_header(request).split()
        if len(parts) != 2 or parts[0].decode(errors="replace") != self.keyword:
            return None
        try:
            credential = parts[1].decode()
        except UnicodeDecodeError:
            raise exceptions.AuthenticationFailed("Invalid node credential.") from None
        split = crypto.split_credential(credential)
        if split is None:
            return None  # not ours: another scheme may know it
        prefix, secret = split
        node = (
            Node.objects.select_related("organisation")
            .filter(credential_prefix=prefix, revoked_at__isnull=True)
            .first()
        )
        if node is None or not crypto.credential_matches(secret, node.credential_hash):
            raise exceptions.AuthenticationFailed("Invalid or revoked node credential.")
        now = timezone.now()
        if node.last_seen_at is None or now - node.last_seen_at > datetime.timedelta(minutes=1):
            Node.objects.filter(pk=node.pk).update(last_seen_at=now)
        return NodePrincipal(node), node

    def authenticate_header(self, request):
        return self.keyword


class NodeAuthenticationScheme(OpenApiAuthenticationExtension):
    target_class = "grants.auth.NodeAuthentication"
    name = "nodeCredential"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": (
                "A node's credential, `sol_node_<prefix>.<secret>`, created by a custodian "
                "(shown once, revocable)."
            ),
        }
