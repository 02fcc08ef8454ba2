"""Committee meetings: schedule, agenda, attendance, minutes, and decisions taken there.

The secretariat and the chair write; every committee member (reviewers, the chair, the
secretariat) and auditors read. Each service runs in one transaction, locks the meeting,
checks the actor and the meeting's state, saves and writes its audit event.
"""

from datetime import datetime

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from solidarity import audit
from solidarity.accounts.roles import Role, has_role
from solidarity.errors import DomainError, PermissionDenied, TransitionNotAllowed

from .meeting_models import AgendaItem, Attendance, Meeting, MeetingState

AGENDA_STATES = ("submitted", "in_review", "awaiting_decision")
MEMBER_ROLES = (Role.SECRETARIAT, Role.CHAIR, Role.REVIEWER)
MAX_AGENDA = 100


def can_manage_meetings(user) -> bool:
    return bool(user and user.is_authenticated) and has_role(user, Role.SECRETARIAT, Role.CHAIR)


def can_read_meetings(user) -> bool:
    return bool(user and user.is_authenticated) and has_role(user, *MEMBER_ROLES, Role.AUDITOR)


def _require_manager(actor) -> None:
    if not can_manage_meetings(actor):
        raise PermissionDenied(_("Only the secretariat or the chair may do this."))


def _lock(meeting: Meeting) -> Meeting:
    return Meeting.objects.select_for_update().get(pk=meeting.pk)


def _require_scheduled(meeting: Meeting) -> None:
    if meeting.state != MeetingState.SCHEDULED:
        raise TransitionNotAllowed(
            _("A meeting that is “%(state)s” cannot be changed.")
            % {"state": meeting.get_state_display()}
        )


def meeting_schedule(*, actor, title: str, starts_at: datetime, location: str = "") -> Meeting:
    """Schedule a committee meeting. Precondition: secretariat or chair; a title and a time."""
    _require_manager(actor)
    title = (title or "").strip()
    if not title or starts_at is None:
        raise DomainError(
            _("The meeting could not be scheduled."),
            field_errors={"title": [_("Give a title and a time.")]},
        )
    with transaction.atomic():
        meeting = Meeting.objects.create(
            title=title, starts_at=starts_at, location=(location or "").strip(), created_by=actor
        )
        audit.record(
            actor=actor,
            action="meeting.schedule",
            target=meeting,
            to_state=meeting.state,
            payload={"starts_at": starts_at.isoformat(), "location": meeting.location},
        )
    return meeting


def meeting_cancel(*, actor, meeting: Meeting, reason: str) -> Meeting:
    """Cancel a scheduled meeting, with a reason."""
    _require_manager(actor)
    if not (reason or "").strip():
        raise DomainError(_("Give a reason."), field_errors={"reason": [_("Required.")]})
    with transaction.atomic():
        meeting = _lock(meeting)
        _require_scheduled(meeting)
        meeting.state = MeetingState.CANCELLED
        meeting.save(update_fields=["state"])
        audit.record(
            actor=actor,
            action="meeting.cancel",
            target=meeting,
            from_state=MeetingState.SCHEDULED,
            to_state=meeting.state,
            payload={"reason": reason.strip()},
        )
    return meeting


def meeting_add_item(*, actor, meeting: Meeting, application, note: str = "") -> AgendaItem:
    """Put an application under review on a scheduled meeting's agenda (once per meeting)."""
    _require_manager(actor)
    if application.state not in AGENDA_STATES:
        raise TransitionNotAllowed(
            _("Only an application awaiting the committee can go on an agenda.")
        )
    with transaction.atomic():
        meeting = _lock(meeting)
        _require_scheduled(meeting)
        if meeting.items.filter(application=application).exists():
            raise TransitionNotAllowed(_("This application is already on the agenda."))
        if meeting.items.count() >= MAX_AGENDA:
            raise DomainError(_("The agenda is full."))
        last = meeting.items.aggregate(m=Max("position"))["m"] or 0
        item = AgendaItem.objects.create(
            meeting=meeting, application=application, position=last + 1, note=note.strip()
        )
        audit.record(
            actor=actor,
            action="meeting.agenda_add",
            target=meeting,
            payload={"application": application.pk, "position": item.position},
        )
    return item


def meeting_remove_item(*, actor, item: AgendaItem) -> None:
    """Take an undecided item off a scheduled meeting's agenda."""
    _require_manager(actor)
    with transaction.atomic():
        meeting = _lock(item.meeting)
        _require_scheduled(meeting)
        item = AgendaItem.objects.select_for_update().get(pk=item.pk)
        if item.decision_id is not None:
            raise TransitionNotAllowed(_("A decided item stays on the agenda."))
        application_id = item.application_id
        item.delete()
        audit.record(
            actor=actor,
            action="meeting.agenda_remove",
            target=meeting,
            payload={"application": application_id},
        )


def meeting_record_attendance(*, actor, meeting: Meeting, present_ids, absent_ids=()) -> Meeting:
    """Record who was present and who sent apologies; only committee members can be listed."""
    _require_manager(actor)
    present_ids, absent_ids = set(present_ids or ()), set(absent_ids or ())
    if present_ids & absent_ids:
        raise DomainError(_("A member cannot be both present and absent."))
    wanted = present_ids | absent_ids
    members = {
        u.pk: u
        for u in get_user_model()
        .objects.filter(pk__in=wanted, groups__name__in=MEMBER_ROLES, is_active=True)
        .distinct()
    }
    unknown = wanted - set(members)
    if unknown:
        raise DomainError(
            _("Only committee members can be recorded as attending."),
            field_errors={"members": [_("Not a committee member.")]},
        )
    with transaction.atomic():
        meeting = _lock(meeting)
        if meeting.state == MeetingState.CANCELLED:
            raise TransitionNotAllowed(_("A cancelled meeting has no attendance."))
        Attendance.objects.filter(meeting=meeting).delete()
        Attendance.objects.bulk_create(
            [
                Attendance(meeting=meeting, member=members[pk], present=pk in present_ids)
                for pk in sorted(wanted)
            ]
        )
        audit.record(
            actor=actor,
            action="meeting.attendance",
            target=meeting,
            payload={"present": sorted(present_ids), "absent": sorted(absent_ids)},
        )
    return meeting


def meeting_record_minutes(*, actor, meeting: Meeting, minutes: str) -> Meeting:
    """Record the minutes; the meeting is then held. Minutes may be corrected later (audited)."""
    _require_manager(actor)
    minutes = (minutes or "").strip()
    if not minutes:
        raise DomainError(_("Write the minutes."), field_errors={"minutes": [_("Required.")]})
    with transaction.atomic():
        meeting = _lock(meeting)
        if meeting.state == MeetingState.CANCELLED:
            raise TransitionNotAllowed(_("A cancelled meeting has no minutes."))
        if meeting.starts_at > timezone.now():
            raise TransitionNotAllowed(_("Minutes can be recorded once the meeting has begun."))
        previous = meeting.state
        meeting.minutes = minutes
        meeting.minutes_recorded_at = timezone.now()
        meeting.minutes_recorded_by = actor
        meeting.state = MeetingState.HELD
        meeting.save(
            update_fields=["minutes", "minutes_recorded_at", "minutes_recorded_by", "state"]
        )
        audit.record(
            actor=actor,
            action="meeting.minutes",
            target=meeting,
            from_state=previous,
            to_state=meeting.state,
            payload={"characters": len(minutes), "corrected": previous == MeetingState.HELD},
        )
    return meeting


def meeting_link_decision(*, actor, item: AgendaItem) -> AgendaItem:
    """Record that the committee's decision on an agenda item's application was taken here.

    Precondition: the application has a decision (approved or rejected) and it is not yet
    linked to another meeting's item.
    """
    from .models import CommitteeFile, DecisionOutcome

    _require_manager(actor)
    with transaction.atomic():
        meeting = _lock(item.meeting)
        if meeting.state == MeetingState.CANCELLED:
            raise TransitionNotAllowed(_("A cancelled meeting took no decisions."))
        item = AgendaItem.objects.select_for_update().get(pk=item.pk)
        decision = CommitteeFile.objects.filter(application_id=item.application_id).first()
        if decision is None or decision.outcome == DecisionOutcome.PENDING:
            raise TransitionNotAllowed(_("The committee has not decided this application yet."))
        if item.decision_id is not None or decision.agenda_items.exists():
            raise TransitionNotAllowed(_("This decision is already linked to a meeting."))
        item.decision = decision
        item.save(update_fields=["decision"])
        audit.record(
            actor=actor,
            action="meeting.decision_link",
            target=meeting,
            payload={"application": item.application_id, "outcome": decision.outcome},
        )
    return item


# Reads


def meetings_list():
    """Meetings, latest first, with agenda and attendance counts (one query)."""
    from django.db.models import Count, Q

    return Meeting.objects.annotate(
        item_count=Count("items", distinct=True),
        present_count=Count("attendance", filter=Q(attendance__present=True), distinct=True),
    ).order_by("-starts_at", "-id")


def meeting_detail(pk: int) -> Meeting:
    """One meeting with its agenda (application, decision) and attendance: three queries."""
    from django.db.models import Prefetch

    return (
        Meeting.objects.select_related("created_by", "minutes_recorded_by")
        .prefetch_related(
            Prefetch(
                "items",
                queryset=AgendaItem.objects.select_related(
                    "application", "application__organisation", "decision"
                ).order_by("position", "id"),
            ),
            Prefetch(
                "attendance",
                queryset=Attendance.objects.select_related("member").order_by(
                    "member__username", "id"
                ),
            ),
        )
        .get(pk=pk)
    )


def committee_members():
    """Active committee members, the people attendance may list."""
    return (
        get_user_model()
        .objects.filter(groups__name__in=MEMBER_ROLES, is_active=True)
        .distinct()
        .order_by("username")
    )
