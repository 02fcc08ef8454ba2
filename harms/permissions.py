"""Who may see and act on harm reports."""

from dataclasses import dataclass

from rest_framework.permissions import BasePermission

from solidarity.accounts.roles import Role, has_role


@dataclass(frozen=True)
class ReceiptHolder:
    """Someone who proved they hold a report's receipt code: the anonymous reporter."""

    report_id: int
    is_authenticated: bool = False

    def __str__(self) -> str:
        return "reporter (receipt code)"


def is_harm_officer(user) -> bool:
    return has_role(user, Role.HARM_OFFICER)


def can_read_all_reports(user) -> bool:
    """Harm officers and auditors read every report (auditors without the reporter's identity)."""
    return has_role(user, Role.HARM_OFFICER, Role.AUDITOR)


def can_see_reporter_identity(user) -> bool:
    return has_role(user, Role.HARM_OFFICER)


def can_see_internal_notes(user) -> bool:
    return has_role(user, Role.HARM_OFFICER, Role.AUDITOR)


def is_reporter_of(actor, report) -> bool:
    if isinstance(actor, ReceiptHolder):
        return actor.report_id == report.pk
    return bool(
        getattr(actor, "is_authenticated", False)
        and report.reporter_id is not None
        and report.reporter_id == actor.pk
    )


def can_view_report(user, report) -> bool:
    return can_read_all_reports(user) or is_reporter_of(user, report)


def can_decide_suspension(user) -> bool:
    return has_role(user, Role.CHAIR)


def may_decide_suspension(user, recommendation) -> bool:
    """The chair executes or dismisses the panel's recommendation (the rulebook's predicate)."""
    return can_decide_suspension(user)


def can_read_suspension_recommendations(user) -> bool:
    """The chair decides them; the harm panel made them; auditors read everything."""
    return has_role(user, Role.CHAIR, Role.HARM_OFFICER, Role.AUDITOR)


def can_complete_data_request(user, action) -> bool:
    """A correction or deletion is carried out by the custodian of the dataset concerned."""
    if is_harm_officer(user):
        return True
    if action.dataset_id is None or not has_role(user, Role.CUSTODIAN):
        return False
    return user.has_perm("catalog.manage_dataset", action.dataset)


class HarmOfficerOrAuditor(BasePermission):
    def has_permission(self, request, view):
        return can_read_all_reports(request.user)


# Who may make each move of the rulebook (``harms.rules``): predicates ``(actor, obj)``.
# The actor may be a ``ReceiptHolder`` (an anonymous reporter who is not signed in).

REDRESS_DATA_KINDS = ("data_correction", "data_deletion")


def may_act_on_report(user, report) -> bool:
    """The panel's moves on a report are harm officers' (auditors only read)."""
    return is_harm_officer(user)


def may_appeal(user, report) -> bool:
    return is_reporter_of(user, report)


def may_act_on_redress(user, action) -> bool:
    return is_harm_officer(user)


def may_answer_redress(user, action) -> bool:
    """The reporter answers an offer, or a harm officer records their answer for them."""
    return is_harm_officer(user) or is_reporter_of(user, action.report)


def may_deliver_redress(user, action) -> bool:
    """Harm officers record every delivery; a custodian only the correction or deletion of
    data in a dataset they manage."""
    if is_harm_officer(user):
        return True
    return action.kind in REDRESS_DATA_KINDS and can_complete_data_request(user, action)


def may_give_payment_details(user, action) -> bool:
    return is_reporter_of(user, action.report)
