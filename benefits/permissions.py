"""Who may do what with agreements, obligations and the fund.

Who may make a move (the predicates without a state: ``is_officer``, ``may_sign``, …) lives
here; whether the move is allowed now (the states) lives in ``rules.py``. The ``can_*`` names
that concern a move ask the rulebook, so the HTML, the API and the services agree.
"""

from rest_framework.permissions import BasePermission

from solidarity.accounts.roles import Role, has_role

from . import rules

# Roles that see every agreement and the whole ledger.
OVERSIGHT_ROLES = (Role.BENEFIT_OFFICER, Role.AUDITOR, Role.CHAIR)


# ---- who (no state): the predicates the rulebook (``rules.py``) names ---------------------


def _signed_in(user) -> bool:
    return bool(getattr(user, "is_authenticated", False))


def is_benefit_officer(user) -> bool:
    return _signed_in(user) and has_role(user, Role.BENEFIT_OFFICER)


def is_officer(user, obj=None) -> bool:
    """Draft, propose, change, terminate agreements; verify reports; sign for the committee."""
    return is_benefit_officer(user)


def is_chair(user, obj=None) -> bool:
    return _signed_in(user) and has_role(user, Role.CHAIR)


def is_applicant_of(user, agreement) -> bool:
    return _signed_in(user) and agreement.application.applicant_id == user.pk


def may_view(user, agreement) -> bool:
    return can_view_agreement(user, agreement)


def can_sign_for_applicant(user, agreement) -> bool:
    """The applicant (researcher) of the application signs for the applicant's side."""
    return is_applicant_of(user, agreement) and has_role(user, Role.RESEARCHER)


def can_sign_for_committee(user, agreement) -> bool:
    return is_benefit_officer(user)


def signing_side(user, agreement) -> str | None:
    """The side this user signs for (the applicant's before the committee's), or None."""
    if can_sign_for_applicant(user, agreement):
        return "applicant"
    if can_sign_for_committee(user, agreement):
        return "committee"
    return None


def signs_for_a_side(user, agreement) -> bool:
    return signing_side(user, agreement) is not None


def may_sign(user, agreement) -> bool:
    """Signs for a side that has not signed the current version of the terms yet."""
    side = signing_side(user, agreement)
    if side is None:
        return False
    return not any(
        s.side == side and s.version == agreement.terms_version for s in agreement.signatures.all()
    )


def may_report(user, obligation) -> bool:
    return can_sign_for_applicant(user, obligation.agreement)


def nobody(user, obj) -> bool:
    """Moves only the system makes (the beat marks obligations overdue)."""
    return False


# ---- what (who and state, read from the rulebook) ---------------------------------------


def can_manage_agreements(user) -> bool:
    """Draft agreements and see the officers' pages (no state: drafting makes the row)."""
    return is_benefit_officer(user)


def can_view_agreement(user, agreement) -> bool:
    if not _signed_in(user):
        return False
    if has_role(user, *OVERSIGHT_ROLES):
        return True
    # The applicant and the accepted co-applicants (read-only), not every member of the
    # applicant's organisation.
    from applications.permissions import is_team_member

    return is_applicant_of(user, agreement) or is_team_member(user, agreement.application)


def can_edit_agreement(user, agreement) -> bool:
    return rules.AGREEMENT.allows("edit", user, agreement)


def can_report_on(user, obligation) -> bool:
    """The report form: the applicant, while the obligation is due and the agreement binds."""
    return rules.OBLIGATION.allows("report", user, obligation)


def can_suspend_project(user, agreement) -> bool:
    return rules.AGREEMENT.allows("suspend-project", user, agreement)


def can_view_fund(user) -> bool:
    return getattr(user, "is_authenticated", False) and has_role(
        user, Role.BENEFIT_OFFICER, Role.AUDITOR
    )


def can_disburse(user) -> bool:
    """Outflows: harm officers (redress) and benefit officers."""
    return _signed_in(user) and has_role(user, Role.HARM_OFFICER, Role.BENEFIT_OFFICER)


def can_adjust_fund(user) -> bool:
    return is_benefit_officer(user)


class CanViewFund(BasePermission):
    def has_permission(self, request, view):
        return can_view_fund(request.user)


class CanViewAgreement(BasePermission):
    def has_object_permission(self, request, view, obj):
        agreement = getattr(obj, "agreement", obj)
        return can_view_agreement(request.user, agreement)
