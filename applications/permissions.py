"""Who may see and do what with applications and dataset requests."""

from rest_framework.permissions import BasePermission

from solidarity.accounts.roles import Role, has_role
from solidarity.catalog.permissions import can_manage_dataset

from .models import PRE_DECISION_STATES, TERMINAL_STATES, ApplicationState

EDITABLE_STATES = [ApplicationState.DRAFT, ApplicationState.REVISION_REQUESTED]
# Roles that see every application once it has been submitted.
OVERSIGHT_ROLES = (Role.SECRETARIAT, Role.CHAIR, Role.AUDITOR)


def is_applicant(user, application) -> bool:
    return user.is_authenticated and application.applicant_id == user.pk


def can_create_application(user) -> bool:
    return user.is_authenticated and has_role(user, Role.RESEARCHER)


def can_view_application(user, application) -> bool:
    """True when the application is among those the user may see (see the selector)."""
    if not user.is_authenticated:
        return False
    if is_applicant(user, application):
        return True
    from .selectors import applications_visible_to

    return applications_visible_to(user).filter(pk=application.pk).exists()


def can_edit_application(user, application) -> bool:
    """The content may change only in a draft or while a revision is requested."""
    return (
        user.is_authenticated
        and application.state in EDITABLE_STATES
        and (
            is_applicant(user, application)
            or user.has_perm("applications.edit_application_object", application)
        )
    )


def can_submit(user, application) -> bool:
    return can_edit_application(user, application)


def can_withdraw(user, application) -> bool:
    # A project that has been active (an amendment under review) is closed, not withdrawn.
    return (
        is_applicant(user, application)
        and application.state in PRE_DECISION_STATES
        and application.activated_at is None
    )


def can_screen(user) -> bool:
    """Screening a submission: accept into review, request a revision, reject as out of scope."""
    return user.is_authenticated and has_role(user, Role.SECRETARIAT)


def can_see_queue(user) -> bool:
    return user.is_authenticated and has_role(user, Role.SECRETARIAT, Role.CHAIR, Role.AUDITOR)


def can_request_revision(user, application) -> bool:
    return (
        user.is_authenticated
        and has_role(user, Role.SECRETARIAT, Role.CHAIR)
        and application.state in (ApplicationState.SUBMITTED, ApplicationState.IN_REVIEW)
    )


def can_accept(user, application) -> bool:
    return can_screen(user) and application.state == ApplicationState.SUBMITTED


def can_reject(user, application) -> bool:
    """The secretariat rejects out of scope at screening; later, only the chair rejects."""
    if not user.is_authenticated:
        return False
    if application.state == ApplicationState.SUBMITTED:
        return has_role(user, Role.SECRETARIAT, Role.CHAIR)
    if application.state in (ApplicationState.IN_REVIEW, ApplicationState.AWAITING_DECISION):
        return has_role(user, Role.CHAIR)
    return False


def can_mark_awaiting_decision(user, application) -> bool:
    return (
        user.is_authenticated
        and has_role(user, Role.SECRETARIAT, Role.CHAIR)
        and application.state == ApplicationState.IN_REVIEW
    )


def can_decide(user) -> bool:
    return user.is_authenticated and has_role(user, Role.CHAIR)


def can_govern_project(user, application) -> bool:
    """Suspend, reinstate, revoke: the chair."""
    return can_decide(user)


def can_close(user, application) -> bool:
    return (
        user.is_authenticated
        and (
            application.state in (ApplicationState.ACTIVE, ApplicationState.SUSPENDED)
            or (application.activated_at is not None and application.state in PRE_DECISION_STATES)
        )
        and (is_applicant(user, application) or has_role(user, Role.SECRETARIAT, Role.CHAIR))
    )


def can_copy(user, application) -> bool:
    return (
        is_applicant(user, application)
        and has_role(user, Role.RESEARCHER)
        and application.state in (ApplicationState.REJECTED, ApplicationState.CLOSED)
    )


def can_amend(user, application) -> bool:
    return is_applicant(user, application) and application.state == ApplicationState.ACTIVE


def can_decide_dataset_request(user, dataset_request) -> bool:
    """Only a member of the dataset's custodian organisation decides, never another one."""
    return can_manage_dataset(user, dataset_request.dataset)


def dataset_request_open_for_decision(dataset_request) -> bool:
    state = dataset_request.application.state
    return state != ApplicationState.DRAFT and state not in TERMINAL_STATES


class CanUseApplications(BasePermission):
    """Signed-in users; object access is narrowed by the selectors and checked by services."""

    def has_permission(self, request, view):
        return bool(request.user and request.user.is_authenticated)

    def has_object_permission(self, request, view, obj):
        application = getattr(obj, "application", obj)
        return can_view_application(request.user, application)
