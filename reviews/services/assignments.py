"""Assigning reviewers, conflicts of interest and recusal."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from guardian.shortcuts import assign_perm, remove_perm

from solidarity import audit
from solidarity.accounts.roles import Role, has_role
from solidarity.errors import DomainError, PermissionDenied, TransitionNotAllowed
from solidarity.formatting import day
from solidarity.notifications.services import notify
from solidarity.transitions import transition_run

from ..models import Assignment, AssignmentState, ReviewerRole
from ..permissions import ASSIGNABLE_STATES, can_assign
from ..rules import ASSIGNMENT, OPEN_ASSIGNMENT

VIEW_PERM = "applications.view_application_object"


def assignment_create(
    *, actor, application, reviewer, role: str, due_on: datetime.date
) -> Assignment:
    """Ask a reviewer to review an application by a due date.

    Preconditions: the actor is secretariat (or chair); the reviewer holds the reviewer or chair
    role, is not the applicant and is not yet assigned; the application is submitted or in
    review. A submitted application is accepted into review first (``application_accept``).
    Side effects: audit ``assignment.create``; the reviewer is notified. The reviewer sees only a
    short summary until they declare no conflict of interest.
    """
    from applications.models import Application

    if not can_assign(actor):
        raise PermissionDenied(_("Only the secretariat assigns reviewers."))
    errors: dict[str, list[str]] = {}
    if role not in ReviewerRole.values:
        errors["role"] = [_("Choose a committee role.")]
    if not isinstance(due_on, datetime.date) or due_on < timezone.localdate():
        errors["due_on"] = [_("The due date must be today or later.")]
    if reviewer is None or not has_role(reviewer, Role.REVIEWER, Role.CHAIR):
        errors["reviewer"] = [_("Choose a member of the committee (reviewer or chair).")]
    if errors:
        raise DomainError(_("The assignment is not complete."), field_errors=errors)
    with transaction.atomic():
        application = Application.objects.select_for_update().get(pk=application.pk)
        if application.state not in ASSIGNABLE_STATES:
            raise TransitionNotAllowed(
                _("Reviewers can be assigned only to a submitted application or one in review.")
            )
        if application.applicant_id == reviewer.pk:
            raise DomainError(
                _("The applicant cannot review their own application."),
                field_errors={"reviewer": [_("This is the applicant.")]},
            )
        if Assignment.objects.filter(application=application, reviewer=reviewer).exists():
            raise DomainError(
                _("This reviewer is already assigned."),
                field_errors={"reviewer": [_("Already assigned to this application.")]},
            )
        if application.state == "submitted":
            from applications.services import application_accept

            application = application_accept(actor=actor, application=application)
        assignment = Assignment.objects.create(
            application=application,
            reviewer=reviewer,
            role=role,
            due_on=due_on,
            assigned_by=actor,
        )
        audit.record(
            actor=actor,
            action="assignment.create",
            target=assignment,
            to_state=AssignmentState.AWAITING_COI,
            payload={
                "application": application.pk,
                "reviewer": reviewer.get_username(),
                "role": role,
                "due_on": due_on.isoformat(),
            },
        )
        notify(
            recipients=[reviewer],
            kind="review_assigned",
            context=lambda: {
                "subject": _("Review requested: %(ref)s")
                % {"ref": application.reference or application.title},
                "body": _(
                    "You are asked to review “%(title)s” by %(due)s. "
                    "Please declare any conflict of interest first."
                )
                % {"title": application.title, "due": day(due_on)},
            },
            url=f"/reviews/assignments/{assignment.pk}/",
        )
    return assignment


def coi_declare(*, actor, assignment, has_conflict: bool, details: str = "") -> Assignment:
    """The reviewer declares conflicts of interest on the short summary.

    Preconditions: the actor is the assigned reviewer; the assignment awaits the declaration;
    a declared conflict must be described.
    Side effects: no conflict → ``active`` and the reviewer may see the full application (object
    permission granted); a conflict → ``recused``, the application stays hidden and the
    secretariat is notified. Audit ``coi.declare``.
    """
    details = (details or "").strip()
    if has_conflict and not details:
        raise DomainError(
            _("Describe the conflict of interest."),
            field_errors={"details": [_("Describe the conflict.")]},
        )
    name = "declare-conflict" if has_conflict else "declare-none"
    with transaction.atomic():
        assignment = transition_run(
            ASSIGNMENT,
            name,
            actor=actor,
            obj=assignment,
            text=details if has_conflict else None,
            changes={
                "has_conflict": bool(has_conflict),
                "conflict_details": details,
                "coi_declared_at": timezone.now(),
            },
            payload={"application": assignment.application_id, "conflict": bool(has_conflict)},
        )
        if has_conflict:
            remove_perm(VIEW_PERM, actor, assignment.application)
            notify(
                recipients=[assignment.assigned_by],
                kind="review_recused",
                context=lambda: {
                    "subject": _("Reviewer recused: %(title)s")
                    % {"title": assignment.application.title},
                    "body": _("%(reviewer)s declared a conflict of interest; assign someone else.")
                    % {"reviewer": actor},
                },
                url=f"/reviews/applications/{assignment.application_id}/assign/",
            )
        else:
            assign_perm(VIEW_PERM, actor, assignment.application)
    return assignment


def assignment_recuse(*, actor, assignment, details: str) -> Assignment:
    """A reviewer who finds a conflict later recuses themself; their filing no longer counts.

    Preconditions: the actor is the assigned reviewer, active or filed; a reason is given.
    Side effects: the object permission is removed; audit ``coi.declare``.
    """
    details = (details or "").strip()
    if not details:
        raise DomainError(
            _("Describe the conflict of interest."),
            field_errors={"details": [_("Describe the conflict.")]},
        )
    with transaction.atomic():
        assignment = transition_run(
            ASSIGNMENT,
            "recuse",
            actor=actor,
            obj=assignment,
            text=details,
            changes={"has_conflict": True, "coi_declared_at": timezone.now()},
            payload={"application": assignment.application_id, "conflict": True, "late": True},
        )
        remove_perm(VIEW_PERM, actor, assignment.application)
    return assignment


REMIND_DAYS_BEFORE = 2


def assignment_remind_due(*, today: datetime.date) -> int:
    """Remind reviewers of open assignments due within two days or overdue, once a day.

    Idempotent: an assignment reminded today is skipped. Returns how many were reminded.
    No audit event: a reminder changes no state.
    """
    from applications.rules import COMMITTEE_STATES

    limit = today + datetime.timedelta(days=REMIND_DAYS_BEFORE)
    reminded = 0
    with transaction.atomic():
        due = list(
            Assignment.objects.select_for_update(skip_locked=True)
            .filter(
                state__in=OPEN_ASSIGNMENT,
                due_on__lte=limit,
                application__state__in=COMMITTEE_STATES,
            )
            .exclude(last_reminded_on=today)
            .select_related("reviewer", "application")
        )
        for assignment in due:
            overdue = assignment.due_on < today
            notify(
                recipients=[assignment.reviewer],
                kind="review_reminder",
                context=lambda overdue=overdue, assignment=assignment: {
                    "subject": (
                        _("Overdue: review of %(ref)s")
                        if overdue
                        else _("Due soon: review of %(ref)s")
                    )
                    % {"ref": assignment.application.reference or assignment.application.title},
                    "body": _("Your review is due on %(due)s.") % {"due": day(assignment.due_on)},
                },
                url=f"/reviews/assignments/{assignment.pk}/",
            )
            assignment.last_reminded_on = today
            assignment.save(update_fields=["last_reminded_on"])
            reminded += 1
    return reminded
