"""Harm reports, their conversation with the panel, redress and suspension recommendations."""

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class HarmCategory(models.TextChoices):
    PRIVACY_BREACH = "privacy_breach", _("Privacy breach")
    DISCRIMINATION = "discrimination", _("Discrimination")
    STIGMATISATION = "stigmatisation", _("Stigmatisation of a group")
    FINANCIAL = "financial", _("Financial harm")
    PSYCHOLOGICAL = "psychological", _("Psychological harm")
    LOSS_OF_CARE = "loss_of_care", _("Loss of access to care")
    OTHER = "other", _("Other")


class Affected(models.TextChoices):
    SELF = "self", _("Me")
    FAMILY = "family", _("My family")
    COMMUNITY = "community", _("My community")


class Severity(models.TextChoices):
    LOW = "low", _("Low")
    MODERATE = "moderate", _("Moderate")
    SEVERE = "severe", _("Severe")
    CRITICAL = "critical", _("Critical")


class HarmReportState(models.TextChoices):
    RECEIVED = "received", _("Received")
    TRIAGED = "triaged", _("Triaged")
    INVESTIGATING = "investigating", _("Under investigation")
    REDRESS_OFFERED = "redress_offered", _("Redress offered")
    RESOLVED = "resolved", _("Resolved")
    CLOSED_NO_ACTION = "closed_no_action", _("Closed without action")
    REFERRED = "referred", _("Referred")


OPEN_STATES = [
    HarmReportState.RECEIVED,
    HarmReportState.TRIAGED,
    HarmReportState.INVESTIGATING,
    HarmReportState.REDRESS_OFFERED,
]
DECIDED_STATES = [
    HarmReportState.RESOLVED,
    HarmReportState.CLOSED_NO_ACTION,
    HarmReportState.REFERRED,
]


class HarmReport(models.Model):
    """What a person tells the panel happened; the standard is plausibility, not proof."""

    State = HarmReportState

    state = models.CharField(
        _("state"), max_length=20, choices=HarmReportState.choices, default="received"
    )
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="harm_reports",
    )
    # HMAC-SHA256 of the receipt code given to an anonymous reporter; never the code itself.
    receipt_hash = models.CharField(max_length=64, unique=True, null=True, blank=True)
    # Fernet token of {"name", "email", "phone"}; only harm officers see it decrypted.
    contact_ciphertext = models.TextField(blank=True)

    what_happened = models.TextField(_("what happened"), max_length=5000)
    occurred_when = models.CharField(_("when it happened"), max_length=200)
    affected = models.CharField(_("who was affected"), max_length=20, choices=Affected.choices)
    categories = models.JSONField(_("kinds of harm"), default=list)
    project_hint = models.CharField(
        _("project, as the reporter named it"), max_length=250, blank=True
    )
    applications = models.ManyToManyField(
        "applications.Application", blank=True, related_name="harm_reports"
    )
    datasets = models.ManyToManyField("catalog.Dataset", blank=True, related_name="harm_reports")
    links_confirmed = models.BooleanField(default=False)
    # The language the report was filed in: news for a reporter without an account is written
    # in it (a signed-in reporter's own preference wins).
    language = models.CharField(_("language of the report"), max_length=10, blank=True)

    severity = models.CharField(
        _("severity"), max_length=10, choices=Severity.choices, blank=True, db_index=True
    )
    outcome = models.TextField(_("outcome told to the reporter"), blank=True)
    referred_to = models.CharField(_("referred to"), max_length=200, blank=True)

    received_at = models.DateTimeField(default=timezone.now, db_index=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    triaged_at = models.DateTimeField(null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    appealed_at = models.DateTimeField(null=True, blank=True)
    appeal_grounds = models.TextField(blank=True)
    acknowledge_due = models.DateTimeField()
    triage_due = models.DateTimeField()
    decision_due = models.DateTimeField()
    # The deadline that applies now (``harms.sla.next_due_at``), stored by every move so the
    # officers' queue sorts on an index; None once decided.
    next_due_at = models.DateTimeField(null=True, blank=True)
    last_reminded_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    # The harm officer who owns the case; changed only by harms.cases.harm_report_assign_owner.
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="owned_harm_reports",
    )
    incident = models.ForeignKey(
        "harms.HarmIncident",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="reports",
    )
    # Full-text search for the panel (solidarity.search): what happened, the project as named,
    # the linked projects and datasets, the outcome; written by PostgreSQL triggers only
    # (migration 0005), GIN-indexed.
    search_vector = SearchVectorField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-received_at", "-id"]
        verbose_name = _("harm report")
        indexes = [
            models.Index(fields=["state", "received_at"], name="harm_report_queue_idx"),
            models.Index(fields=["reporter", "received_at"], name="harm_report_reporter_idx"),
            # The officers' queue: soonest deadline first (overdue ones are the earliest),
            # decided reports (no deadline) last. A state filter reads it too: open reports
            # are at its front, decided ones (the only states without a deadline) at its end.
            models.Index(fields=["next_due_at", "-received_at", "-id"], name="harm_report_due_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(state__in=HarmReportState.values),
                name="harm_report_state_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(severity__in=["", *Severity.values]),
                name="harm_report_severity_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(affected__in=Affected.values),
                name="harm_report_affected_valid",
            ),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def reference(self) -> str:
        return f"HR-{self.received_at:%Y}-{self.pk:05d}" if self.pk else "HR-new"

    def get_categories_display(self) -> list[str]:
        labels = dict(HarmCategory.choices)
        return [labels.get(c, c) for c in self.categories]

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES

    @property
    def appeal_until(self):
        if self.decided_at is None or self.appealed_at is not None:
            return None
        from datetime import timedelta

        return self.decided_at + timedelta(days=settings.HARM_APPEAL_WINDOW_DAYS)

    @property
    def can_be_appealed(self) -> bool:
        until = self.appeal_until
        return self.state in DECIDED_STATES and until is not None and timezone.now() <= until

    @property
    def next_due(self):
        """The service-level deadline that applies now, or None once decided."""
        return self.next_due_at

    @property
    def is_overdue(self) -> bool:
        return self.next_due_at is not None and self.next_due_at < timezone.now()


class HarmMessage(models.Model):
    """One message in a report's thread; internal notes are never shown to the reporter."""

    report = models.ForeignKey(HarmReport, on_delete=models.CASCADE, related_name="messages")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    from_reporter = models.BooleanField(default=False)
    internal = models.BooleanField(default=False)
    body = models.TextField(max_length=5000)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=~(models.Q(from_reporter=True) & models.Q(internal=True)),
                name="harm_message_reporter_not_internal",
            )
        ]

    def __str__(self) -> str:
        return f"{self.report_id}: {self.body[:40]}"


def _attachment_path(instance, filename):
    return f"harms/{timezone.now():%Y/%m}/{instance.sha256[:16]}-{filename}"


class HarmAttachment(models.Model):
    """A file sent with a report, checked like application attachments; never publicly served."""

    report = models.ForeignKey(HarmReport, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to=_attachment_path, max_length=400)
    name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=120)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name


class RedressKind(models.TextChoices):
    FINANCIAL = "financial", _("Financial support from the solidarity fund")
    DATA_CORRECTION = "data_correction", _("Correction of data")
    DATA_DELETION = "data_deletion", _("Deletion of data")
    APOLOGY = "apology", _("Apology")
    COUNSELLING = "counselling", _("Counselling")
    ACCESS_REVOKED = "access_revoked", _("Access revoked")
    REFERRAL = "referral", _("Referral")


class RedressState(models.TextChoices):
    OFFERED = "offered", _("Offered")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")
    DELIVERED = "delivered", _("Delivered")
    WITHDRAWN = "withdrawn", _("Withdrawn by the panel")


class RedressAction(models.Model):
    """One thing the panel offers to put a harm right: offered → accepted/declined → delivered."""

    Kind = RedressKind
    State = RedressState

    report = models.ForeignKey(HarmReport, on_delete=models.CASCADE, related_name="redress")
    kind = models.CharField(_("kind"), max_length=20, choices=RedressKind.choices)
    state = models.CharField(
        _("state"), max_length=10, choices=RedressState.choices, default="offered"
    )
    description = models.TextField(_("what is offered"), max_length=2000)
    amount_minor = models.PositiveBigIntegerField(null=True, blank=True)
    currency = models.CharField(max_length=3, blank=True)
    # For a correction or deletion: the dataset whose custodian must carry it out.
    dataset = models.ForeignKey(
        "catalog.Dataset", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    offered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    offered_at = models.DateTimeField(default=timezone.now)
    responded_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    delivered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    delivery_note = models.TextField(blank=True)
    fund_transaction_id = models.CharField(max_length=64, blank=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawal_reason = models.TextField(blank=True)
    # Where financial support is paid, given by the reporter; encrypted like contact details
    # and shown to harm officers only.
    payment_details_ciphertext = models.TextField(blank=True)
    payment_details_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["offered_at", "id"]
        verbose_name = _("redress action")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(state__in=RedressState.values), name="redress_state_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(kind__in=RedressKind.values), name="redress_kind_valid"
            ),
            models.CheckConstraint(
                condition=~models.Q(kind="financial")
                | (models.Q(amount_minor__gt=0) & ~models.Q(currency="")),
                name="redress_financial_has_amount",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.get_state_display()})"

    @property
    def amount_display(self) -> str:
        if self.amount_minor is None:
            return ""
        from benefits.money import format_money

        return format_money(self.amount_minor, self.currency)


class SuspensionRecommendation(models.Model):
    """The panel's recommendation that the chair suspend a project named in a report."""

    class State(models.TextChoices):
        OPEN = "open", _("Open")
        EXECUTED = "executed", _("Project suspended")
        DISMISSED = "dismissed", _("Dismissed")

    report = models.ForeignKey(
        HarmReport, on_delete=models.CASCADE, related_name="suspension_recommendations"
    )
    application = models.ForeignKey(
        "applications.Application", on_delete=models.PROTECT, related_name="+"
    )
    reason = models.TextField(_("reason"), max_length=4000)
    state = models.CharField(max_length=10, choices=State.choices, default="open")
    recommended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(state__in=["open", "executed", "dismissed"]),
                name="suspension_recommendation_state_valid",
            ),
            models.UniqueConstraint(
                fields=["report", "application"],
                condition=models.Q(state="open"),
                name="suspension_recommendation_one_open",
            ),
        ]
        indexes = [
            models.Index(fields=["state", "created_at"], name="suspension_rec_state_created"),
        ]

    def __str__(self) -> str:
        return f"{self.report} → {self.application_id}"


NEXT_STEPS = {
    HarmReportState.RECEIVED: _(
        "The harm panel will acknowledge your report and then assess how serious it is."
    ),
    HarmReportState.TRIAGED: _(
        "The panel has assessed your report and will now look into what happened."
    ),
    HarmReportState.INVESTIGATING: _(
        "The panel is looking into what happened and will tell you what it decides."
    ),
    HarmReportState.REDRESS_OFFERED: _(
        "The panel has offered redress. Please tell us whether you accept each offer."
    ),
    HarmReportState.RESOLVED: _(
        "The case is resolved. If you disagree with the outcome you may appeal."
    ),
    HarmReportState.CLOSED_NO_ACTION: _(
        "The case was closed without action, for the reasons given. You may appeal."
    ),
    HarmReportState.REFERRED: _(
        "The case was passed to another body, which will contact you. You may appeal."
    ),
}


def next_step(report: HarmReport) -> str:
    return str(NEXT_STEPS[report.state])


from .case_models import HarmIncident, HarmReportHandover  # noqa: E402, F401
from .lesson_models import HarmLesson, HarmReview  # noqa: E402, F401
