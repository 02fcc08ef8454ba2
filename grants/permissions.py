"""Who may manage nodes, see grants and runs, and flag a run."""

from rest_framework.permissions import BasePermission

from solidarity.accounts.roles import Role, has_role

# Roles that see every grant and run (oversight), as they see every application.
OVERSIGHT_ROLES = (Role.SECRETARIAT, Role.CHAIR, Role.AUDITOR)


def custodian_organisation_ids(user) -> list[int]:
    if not (user.is_authenticated and has_role(user, Role.CUSTODIAN)):
        return []
    return list(user.memberships.values_list("organisation_id", flat=True))


def can_manage_nodes(user, organisation) -> bool:
    """A custodian registers and revokes the nodes of their own organisation only."""
    return organisation is not None and organisation.pk in custodian_organisation_ids(user)


def can_flag_run(user, run) -> bool:
    return run.grant.organisation_id in custodian_organisation_ids(user)


def has_oversight(user) -> bool:
    return user.is_authenticated and has_role(user, *OVERSIGHT_ROLES)


def node_of(request):
    """The node a request is authenticated as, or None."""
    from .models import Node

    return request.auth if isinstance(request.auth, Node) else None


class IsNode(BasePermission):
    """Only a request authenticated with a node credential."""

    message = "A node credential is required."

    def has_permission(self, request, view):
        return node_of(request) is not None
