"""Who may do what in the committee's work."""

from rest_framework.permissions import BasePermission

from applications import rules
from solidarity.accounts.roles import Role, has_role

from .models import AssignmentState

# Read from the applications' rulebook, not written again here.
REVIEW_STATES = rules.REVIEW
ASSIGNABLE_STATES = rules.COMMITTEE_STATES
SELF_ASSESSMENT_STATES = rules.EDITABLE


def _authenticated(user) -> bool:
    return bool(user and user.is_authenticated)


def can_assign(user) -> bool:
    """The secretariat (and the chair, who may do everything a reviewer's organiser may)."""
    return _authenticated(user) and has_role(user, Role.SECRETARIAT, Role.CHAIR)


def can_see_committee_queue(user) -> bool:
    return _authenticated(user) and has_role(user, Role.SECRETARIAT, Role.CHAIR, Role.AUDITOR)


def can_decide(user) -> bool:
    return _authenticated(user) and has_role(user, Role.CHAIR)


def can_mark_conditions(user) -> bool:
    return _authenticated(user) and has_role(user, Role.SECRETARIAT)


def may_mark_condition(user, condition=None) -> bool:
    """Who marks a condition met or waives it (the rulebook says when)."""
    return can_mark_conditions(user)


def can_set_conditions(user) -> bool:
    return _authenticated(user) and has_role(user, Role.CHAIR, Role.SECRETARIAT)


def is_assigned_reviewer(user, assignment) -> bool:
    return _authenticated(user) and assignment.reviewer_id == user.pk


def may_file_assessment(user, assignment) -> bool:
    """Who files on an assignment (the rulebook's predicate): its reviewer, still a member."""
    return is_assigned_reviewer(user, assignment) and has_role(user, Role.REVIEWER, Role.CHAIR)


def can_declare_conflict(user, assignment) -> bool:
    from .rules import ASSIGNMENT

    return ASSIGNMENT.allows("declare-none", user, assignment)


def can_file(user, assignment) -> bool:
    """Only the assigned reviewer, after declaring no conflict, and only once."""
    from .rules import ASSIGNMENT

    return ASSIGNMENT.in_source_state("file", assignment) and ASSIGNMENT.may_actor(
        "file", user, assignment
    )


def can_view_committee(user, application, assignment=None) -> bool:
    """The committee view shows every filing: the chair, secretariat and auditor see it; an
    assigned reviewer sees it only after filing their own (blind filing), never once recused."""
    if not _authenticated(user):
        return False
    if has_role(user, Role.CHAIR, Role.SECRETARIAT, Role.AUDITOR):
        return True
    return bool(
        assignment is not None
        and assignment.reviewer_id == user.pk
        and assignment.application_id == application.pk
        and assignment.state == AssignmentState.FILED
    )


def is_voting_member(user, application, assignments) -> bool:
    """Non-recused assigned reviewers and the chair vote; ``assignments`` are the application's."""
    if not _authenticated(user):
        return False
    if has_role(user, Role.CHAIR):
        return not any(a.reviewer_id == user.pk and a.is_recused for a in assignments)
    from .rules import COUNTING

    return any(a.reviewer_id == user.pk and a.state in COUNTING for a in assignments)


def can_self_assess(user, application) -> bool:
    return (
        _authenticated(user)
        and application.applicant_id == user.pk
        and application.state in SELF_ASSESSMENT_STATES
    )


def can_view_application(user, application) -> bool:
    """The applications app decides; imported lazily since it is built alongside this one."""
    from applications.permissions import can_view_application as _can_view

    return _can_view(user, application)


class IsCommitteeMember(BasePermission):
    """Reviewers, the chair, the secretariat and auditors; objects are checked by the services."""

    def has_permission(self, request, view):
        return _authenticated(request.user) and has_role(
            request.user, Role.REVIEWER, Role.CHAIR, Role.SECRETARIAT, Role.AUDITOR
        )


class IsReviewer(BasePermission):
    def has_permission(self, request, view):
        return _authenticated(request.user) and has_role(request.user, Role.REVIEWER, Role.CHAIR)
