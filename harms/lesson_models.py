"""What the panel learns from harms: anonymised lessons, and reviews opened by a threshold.

Kept apart from ``models.py`` (like ``case_models``); ``models.py`` imports these so Django
registers them with the app. The services that write them are in ``harms.lessons``.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

LESSON_LIMIT = 1000


class HarmLesson(models.Model):
    """A short anonymised lesson the panel wrote when it resolved a report, for reviewers."""

    report = models.OneToOneField(
        "harms.HarmReport", on_delete=models.CASCADE, related_name="lesson"
    )
    text = models.TextField(_("lesson for reviewers"), max_length=LESSON_LIMIT)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        app_label = "harms"
        ordering = ["-created_at", "-id"]
        verbose_name = _("harm lesson")
        indexes = [models.Index(fields=["created_at", "id"], name="harm_lesson_recent_idx")]

    def __str__(self) -> str:
        return f"{self.report_id}: {self.text[:40]}"


class HarmReviewScope(models.TextChoices):
    DATASET = "dataset", _("Dataset")
    ORGANISATION = "organisation", _("Organisation")


class HarmReviewState(models.TextChoices):
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")


class HarmReview(models.Model):
    """A review of an active project, opened because harm reports about a dataset or an
    organisation it uses passed the configured threshold; the chair closes it with an outcome.
    """

    Scope = HarmReviewScope
    State = HarmReviewState

    application = models.ForeignKey(
        "applications.Application", on_delete=models.PROTECT, related_name="harm_reviews"
    )
    scope = models.CharField(_("reports about"), max_length=12, choices=HarmReviewScope.choices)
    scope_id = models.PositiveBigIntegerField()
    scope_label = models.CharField(max_length=250)
    report_count = models.PositiveIntegerField(_("reports counted"))
    min_severity = models.CharField(max_length=10)
    window_days = models.PositiveIntegerField()
    # The newest report counted: a later run opens a new review only for newer reports.
    last_report_at = models.DateTimeField()
    state = models.CharField(
        _("state"), max_length=6, choices=HarmReviewState.choices, default="open"
    )
    opened_at = models.DateTimeField(default=timezone.now)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    closed_at = models.DateTimeField(null=True, blank=True)
    outcome = models.TextField(_("outcome of the review"), max_length=4000, blank=True)

    class Meta:
        app_label = "harms"
        ordering = ["opened_at", "id"]
        verbose_name = _("harm review")
        indexes = [models.Index(fields=["state", "opened_at"], name="harm_review_open_idx")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(state__in=HarmReviewState.values),
                name="harm_review_state_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(scope__in=HarmReviewScope.values),
                name="harm_review_scope_valid",
            ),
            models.UniqueConstraint(
                fields=["application", "scope", "scope_id"],
                condition=models.Q(state="open"),
                name="harm_review_one_open_per_scope",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.application_id}: {self.scope} {self.scope_id}"
