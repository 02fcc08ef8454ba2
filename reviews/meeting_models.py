"""Committee meetings: the agenda, attendance and minutes, and the decisions taken there.

Kept apart from ``models.py``; ``models.py`` imports these so Django registers them. A
decision references its meeting from the meeting's side (``AgendaItem.decision``), so the
committee's decision record itself is unchanged.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class MeetingState(models.TextChoices):
    SCHEDULED = "scheduled", _("Scheduled")
    HELD = "held", _("Held")
    CANCELLED = "cancelled", _("Cancelled")


class Meeting(models.Model):
    """One sitting of the committee."""

    State = MeetingState

    title = models.CharField(_("title"), max_length=200)
    starts_at = models.DateTimeField(_("starts at"))
    location = models.CharField(_("where"), max_length=200, blank=True)
    state = models.CharField(
        _("state"), max_length=10, choices=MeetingState.choices, default=MeetingState.SCHEDULED
    )
    minutes = models.TextField(_("minutes"), max_length=50000, blank=True)
    minutes_recorded_at = models.DateTimeField(null=True, blank=True)
    minutes_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        app_label = "reviews"
        ordering = ["-starts_at", "-id"]
        verbose_name = _("committee meeting")
        indexes = [models.Index(fields=["starts_at"], name="meeting_starts_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(state__in=MeetingState.values), name="meeting_state_valid"
            )
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.starts_at:%Y-%m-%d})"


class AgendaItem(models.Model):
    """An application on a meeting's agenda, and the decision taken on it there, if any."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="items")
    application = models.ForeignKey(
        "applications.Application", on_delete=models.PROTECT, related_name="agenda_items"
    )
    position = models.PositiveIntegerField()
    note = models.CharField(_("note"), max_length=500, blank=True)
    decision = models.ForeignKey(
        "reviews.CommitteeFile",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="agenda_items",
    )

    class Meta:
        app_label = "reviews"
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "application"], name="agenda_item_once_per_meeting"
            )
        ]

    def __str__(self) -> str:
        return f"{self.meeting_id}#{self.position}: {self.application_id}"


class Attendance(models.Model):
    """Whether a member was present (or sent apologies) at a meeting."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendance")
    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    present = models.BooleanField(default=True)

    class Meta:
        app_label = "reviews"
        ordering = ["member__username", "id"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "member"], name="attendance_once_per_member")
        ]

    def __str__(self) -> str:
        return f"{self.meeting_id}: {self.member_id} {'present' if self.present else 'absent'}"
