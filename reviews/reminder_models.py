"""The log of due-date reminders (issue 16): one row per item, kind and day sent, so that the
daily task never sends the same reminder twice on a day, whatever runs it or how often."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class DueReminder(models.Model):
    class Kind(models.TextChoices):
        REVIEW = "review", _("Review")
        CUSTODIAN = "custodian", _("Custodian decision")
        CONDITION = "condition", _("Condition of approval")
        OBLIGATION = "obligation", _("Benefit-sharing obligation")

    kind = models.CharField(max_length=20, choices=Kind.choices)
    object_id = models.PositiveBigIntegerField()
    due_on = models.DateField()
    sent_on = models.DateField()
    recipients = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("due-date reminder")
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "object_id", "sent_on"], name="due_reminder_once_a_day"
            ),
            models.CheckConstraint(
                condition=models.Q(kind__in=["review", "custodian", "condition", "obligation"]),
                name="due_reminder_kind_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.object_id} on {self.sent_on}"
