from rest_framework.permissions import BasePermission

from solidarity.accounts.roles import Role, has_role


def can_read_audit_trail(user) -> bool:
    return has_role(user, Role.AUDITOR)


class IsAuditor(BasePermission):
    def has_permission(self, request, view):
        return can_read_audit_trail(request.user)
