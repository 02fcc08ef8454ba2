from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ReportKind(models.TextChoices):
    DOSSIER = "dossier", _("Application dossier")
    HARM_REGISTER = "harm_register", _("Harm register")
    FUND_LEDGER = "fund_ledger", _("Benefit sharing and fund ledger")
    AUDIT_EXTRACT = "audit_extract", _("Audit-trail extract")


class ReportJob(models.Model):
    """A PDF report requested by a user and built by a Celery task; kept and served to them."""

    class State(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Being built")
        DONE = "done", _("Ready")
        FAILED = "failed", _("Failed")

    kind = models.CharField(max_length=20, choices=ReportKind.choices)
    params = models.JSONField(default=dict)
    archival = models.BooleanField(default=False)
    state = models.CharField(max_length=10, choices=State.choices, default=State.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="report_jobs"
    )
    title = models.CharField(max_length=250, blank=True)
    file = models.FileField(upload_to="reports/", blank=True, max_length=300)
    size = models.PositiveBigIntegerField(default=0)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # When the job was last handed to the broker (null: not yet, e.g. the broker was down).
    enqueued_at = models.DateTimeField(null=True, blank=True)
    # Builds started so far, and the lease of the running one: a worker that dies mid-build
    # lets its lease expire, and the job is taken over or, after the last attempt, failed.
    attempts = models.PositiveSmallIntegerField(default=0)
    lease_expires_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["state", "lease_expires_at"], name="reportjob_state_lease_idx")
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(state__in=["queued", "running", "done", "failed"]),
                name="reportjob_state_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(kind__in=ReportKind.values), name="reportjob_kind_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.title or self.get_kind_display()

    @property
    def subject(self) -> str:
        """What the report is about, as its requester named it: a reference or a period."""
        params = self.params or {}
        if params.get("application"):
            return str(params["application"])
        if params.get("start") and params.get("end"):
            from solidarity.formatting import day

            return f"{day(params['start'])} \u2013 {day(params['end'])}"
        return ""
