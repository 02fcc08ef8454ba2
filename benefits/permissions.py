"""Who may do what with agreements, obligations and the fund."""

from rest_framework.permissions import BasePermission

from solidarity.accounts.roles import Role, has_role

# Roles that see every agreement and the whole ledger.
OVERSIGHT_ROLES = (Role.BENEFIT_OFFICER, Role.AUDITOR, Role.CHAIR)


def is_benefit_officer(user) -> bool:
    return getattr(user, "is_authenticated", False) and has_role(user, Role.BENEFIT_OFFICER)


def can_manage_agreements(user) -> bool:
    """Draft, propose, change, terminate agreements; verify reports; sign for the committee."""
    return is_benefit_officer(user)


def is_applicant_of(user, agreement) -> bool:
    return getattr(user, "is_authenticated", False) and (
        agreement.application.applicant_id == user.pk
    )


def can_view_agreement(user, agreement) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    if has_role(user, *OVERSIGHT_ROLES):
        return True
    # The applicant and the accepted co-applicants (read-only), not every member of the
    # applicant's organisation.
    from applications.permissions import is_team_member

    return is_applicant_of(user, agreement) or is_team_member(user, agreement.application)


def can_sign_for_applicant(user, agreement) -> bool:
    """The applicant (researcher) of the application signs for the applicant's side."""
    return is_applicant_of(user, agreement) and has_role(user, Role.RESEARCHER)


def can_sign_for_committee(user, agreement) -> bool:
    return is_benefit_officer(user)


def can_report_on(user, obligation) -> bool:
    return can_sign_for_applicant(user, obligation.agreement)


def can_suspend_project(user) -> bool:
    return getattr(user, "is_authenticated", False) and has_role(user, Role.CHAIR)


def can_view_fund(user) -> bool:
    return getattr(user, "is_authenticated", False) and has_role(
        user, Role.BENEFIT_OFFICER, Role.AUDITOR
    )


def can_disburse(user) -> bool:
    """Outflows: harm officers (redress) and benefit officers."""
    return getattr(user, "is_authenticated", False) and has_role(
        user, Role.HARM_OFFICER, Role.BENEFIT_OFFICER
    )


def can_adjust_fund(user) -> bool:
    return is_benefit_officer(user)


class CanViewFund(BasePermission):
    def has_permission(self, request, view):
        return can_view_fund(request.user)


class CanViewAgreement(BasePermission):
    def has_object_permission(self, request, view, obj):
        agreement = getattr(obj, "agreement", obj)
        return can_view_agreement(request.user, agreement)
