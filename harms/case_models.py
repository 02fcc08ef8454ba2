"""Harm cases: who owns a report, its hand-overs, and incidents that group reports.

Kept apart from ``models.py`` so the case tools can grow without touching the report model's
module; ``models.py`` imports these so Django registers them with the app.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class HarmIncident(models.Model):
    """One event that several people reported; each report keeps its own reporter and redress."""

    title = models.CharField(_("title"), max_length=200)
    summary = models.TextField(_("what the panel knows of the event"), max_length=4000, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        app_label = "harms"
        ordering = ["-created_at", "-id"]
        verbose_name = _("harm incident")

    def __str__(self) -> str:
        return self.reference

    @property
    def reference(self) -> str:
        return f"HI-{self.created_at:%Y}-{self.pk:05d}" if self.pk else "HI-new"


class HarmReportHandover(models.Model):
    """One change of a report's owner: from whom (None for the first assignment) to whom."""

    report = models.ForeignKey(
        "harms.HarmReport", on_delete=models.CASCADE, related_name="handovers"
    )
    from_officer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    to_officer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    note = models.TextField(_("note for the new owner"), max_length=2000, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        app_label = "harms"
        ordering = ["created_at", "id"]
        verbose_name = _("hand-over")
        indexes = [models.Index(fields=["report", "created_at"], name="harm_handover_report_idx")]

    def __str__(self) -> str:
        return f"{self.report_id}: {self.from_officer_id} → {self.to_officer_id}"
