"""Who may see and do what with applications and dataset requests.

Who may make a move (the predicates without a state: ``is_applicant``, ``is_chair``, …) lives
here; whether the move is allowed now (the states) lives in ``rules.py``. The ``can_*`` names
ask the rulebook, so the HTML, the API and the services give the same answer.
"""

from rest_framework.permissions import BasePermission

from solidarity.accounts.roles import Role, has_role
from solidarity.catalog.permissions import can_manage_dataset

from . import rules

EDITABLE_STATES = rules.EDITABLE
# Roles that see every application once it has been submitted.
OVERSIGHT_ROLES = (Role.SECRETARIAT, Role.CHAIR, Role.AUDITOR)


# ---- who (no state) ---------------------------------------------------------------------


def _signed_in(user) -> bool:
    return bool(user and user.is_authenticated)


def is_applicant(user, application) -> bool:
    return _signed_in(user) and application.applicant_id == user.pk


def may_edit(user, application) -> bool:
    return is_applicant(user, application) or (
        _signed_in(user) and user.has_perm("applications.edit_application_object", application)
    )


def is_screener(user, application=None) -> bool:
    return _signed_in(user) and has_role(user, Role.SECRETARIAT)


def is_secretariat_or_chair(user, application=None) -> bool:
    return _signed_in(user) and has_role(user, Role.SECRETARIAT, Role.CHAIR)


def is_chair(user, application=None) -> bool:
    return _signed_in(user) and has_role(user, Role.CHAIR)


def may_close(user, application) -> bool:
    return is_applicant(user, application) or is_secretariat_or_chair(user)


def may_copy(user, application) -> bool:
    return is_applicant(user, application) and has_role(user, Role.RESEARCHER)


def may_view(user, application) -> bool:
    return can_view_application(user, application)


def nobody(user, application) -> bool:
    """Moves only the system makes (the beat's expiry)."""
    return False


# ---- what (who and state, read from the rulebook) ---------------------------------------


def can_create_application(user) -> bool:
    return _signed_in(user) and has_role(user, Role.RESEARCHER)


def can_view_application(user, application) -> bool:
    """True when the application is among those the user may see (see the selector)."""
    if not _signed_in(user):
        return False
    if is_applicant(user, application):
        return True
    from .selectors import applications_visible_to

    return applications_visible_to(user).filter(pk=application.pk).exists()


def can_edit_application(user, application) -> bool:
    """The content may change only in a draft or while a revision is requested."""
    return rules.APPLICATION.allows("submit", user, application)


def can_submit(user, application) -> bool:
    return rules.APPLICATION.allows("submit", user, application)


def can_withdraw(user, application) -> bool:
    return rules.APPLICATION.allows("withdraw", user, application)


def can_screen(user) -> bool:
    """Screening a submission: accept into review, request a revision, reject as out of scope."""
    return is_screener(user)


def can_see_queue(user) -> bool:
    return _signed_in(user) and has_role(user, Role.SECRETARIAT, Role.CHAIR, Role.AUDITOR)


def can_request_revision(user, application) -> bool:
    return rules.APPLICATION.allows("request-revision", user, application)


def can_accept(user, application) -> bool:
    return rules.APPLICATION.allows("accept", user, application)


def can_reject(user, application) -> bool:
    """At screening only; after screening the committee's decision rejects."""
    return rules.APPLICATION.allows("reject", user, application)


def can_mark_awaiting_decision(user, application) -> bool:
    return rules.APPLICATION.allows("await-decision", user, application)


def can_decide(user) -> bool:
    return is_chair(user)


def can_govern_project(user, application) -> bool:
    """Suspend, reinstate, revoke: the chair."""
    return is_chair(user)


def can_close(user, application) -> bool:
    return rules.APPLICATION.allows("close", user, application)


def can_copy(user, application) -> bool:
    return rules.APPLICATION.allows("copy", user, application)


def can_amend(user, application) -> bool:
    return rules.APPLICATION.allows("amend", user, application)


def can_decide_dataset_request(user, dataset_request) -> bool:
    """Only a member of the dataset's custodian organisation decides, never another one."""
    return can_manage_dataset(user, dataset_request.dataset)


def dataset_request_open_for_decision(dataset_request) -> bool:
    return rules.DATASET_REQUEST.in_source_state("grant", dataset_request)


class CanUseApplications(BasePermission):
    """Signed-in users; object access is narrowed by the selectors and checked by services."""

    def has_permission(self, request, view):
        return bool(request.user and request.user.is_authenticated)

    def has_object_permission(self, request, view, obj):
        application = getattr(obj, "application", obj)
        return can_view_application(request.user, application)
