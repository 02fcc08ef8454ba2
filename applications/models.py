from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.utils.translation import gettext_lazy as _

from solidarity.catalog.duo import DataUse
from solidarity.catalog.models import AccessMode

from . import hdruk


class ApplicationState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    REVISION_REQUESTED = "revision_requested", _("Revision requested")
    IN_REVIEW = "in_review", _("In review")
    AWAITING_DECISION = "awaiting_decision", _("Awaiting decision")
    APPROVED = "approved", _("Approved")
    ACTIVE = "active", _("Active")
    SUSPENDED = "suspended", _("Suspended")
    CLOSED = "closed", _("Closed")
    REJECTED = "rejected", _("Rejected")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    REVOKED = "revoked", _("Revoked")


# States a project is in once approved: these appear on the public register (with active
# projects under amendment: ``rules.public_q``). The rulebook reads this list.
PUBLIC_STATES = [
    ApplicationState.APPROVED,
    ApplicationState.ACTIVE,
    ApplicationState.SUSPENDED,
    ApplicationState.REVOKED,
    ApplicationState.CLOSED,
]


# The content of an application that a researcher writes and each version freezes.
CONTENT_FIELDS = [
    "title",
    "lay_summary",
    "scientific_summary",
    "aims",
    "methods",
    "public_benefit",
    "beneficiaries",
    "funding",
    "commercial_involvement",
    "commercial_details",
    "research_use",
    "research_disease",
    "research_countries",
    "ethics_approval",
    "will_publish",
    "start_date",
    "end_date",
    # The fields the sector expects on a register (HDR UK): see applications/hdruk.py.
    *hdruk.FIELDS,
]


class Beneficiary(models.TextChoices):
    DATA_SUBJECTS = "data_subjects", _("People whose data are used")
    COMMUNITIES = "communities", _("Communities")
    DISADVANTAGED = "disadvantaged_groups", _("Disadvantaged groups")
    FUTURE_GENERATIONS = "future_generations", _("Future generations")
    PUBLIC = "general_public", _("The general public")


class ReferenceCounter(models.Model):
    """One row per year; locked to hand out DSA-<year>-<seq> references without gaps or twins."""

    year = models.PositiveSmallIntegerField(primary_key=True)
    last = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.year}: {self.last}"


class Application(models.Model):
    """A data-access application and, once approved, the life of the project it describes."""

    reference = models.CharField(max_length=20, unique=True, null=True, blank=True)
    state = models.CharField(
        max_length=20,
        choices=ApplicationState.choices,
        default=ApplicationState.DRAFT,
        db_index=True,
    )
    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="applications"
    )
    organisation = models.ForeignKey(
        "catalog.Organisation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="applications",
        verbose_name=_("applicant's organisation"),
    )
    copied_from = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="copies"
    )

    # What the use is
    title = models.CharField(_("title"), max_length=250)
    lay_summary = models.TextField(
        _("plain-language summary"),
        blank=True,
        help_text=_("Shown on the public register. Write for someone without a science degree."),
    )
    scientific_summary = models.TextField(_("scientific summary"), blank=True)
    aims = models.TextField(_("aims"), blank=True)
    methods = models.TextField(_("methods"), blank=True)

    # Public value
    public_benefit = models.TextField(_("public benefit claimed"), blank=True)
    beneficiaries = models.JSONField(_("who receives the benefit"), default=list, blank=True)

    # Money
    funding = models.TextField(_("funding"), blank=True)
    commercial_involvement = models.BooleanField(_("commercial involvement"), default=False)
    commercial_details = models.TextField(_("commercial involvement, in detail"), blank=True)

    # Research purpose in DUO terms, checked against each dataset's consent
    research_use = models.CharField(
        _("research purpose"), max_length=20, choices=DataUse.choices, default=DataUse.HMB
    )
    research_disease = models.CharField(_("disease studied"), max_length=200, blank=True)
    research_countries = models.CharField(
        _("countries where the data will be used"),
        max_length=200,
        blank=True,
        help_text=_("ISO codes, comma-separated."),
    )
    ethics_approval = models.BooleanField(
        _("ethics approval obtained or applied for"), default=False
    )
    will_publish = models.BooleanField(_("results will be published"), default=True)

    # Time
    start_date = models.DateField(_("intended start"), null=True, blank=True)
    end_date = models.DateField(_("intended end"), null=True, blank=True)
    access_expires_on = models.DateField(_("access expires on"), null=True, blank=True)
    # The smallest number of days-before-expiry already warned about for the current expiry
    # date (30, then 7); reset when the expiry changes, so each warning goes out once.
    expiry_warned_days = models.PositiveSmallIntegerField(null=True, blank=True, editable=False)

    current_version = models.PositiveIntegerField(default=0)
    # The version the committee last approved: while an amendment is reviewed, the public
    # register and the project's terms are those of this version.
    approved_version = models.PositiveIntegerField(null=True, blank=True, editable=False)
    state_reason = models.TextField(blank=True)
    final_report = models.TextField(_("final report"), blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    activated_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Full-text search (solidarity.search): written by PostgreSQL triggers only (migration
    # 0010): reference and title weigh A, the public summaries B, organisations and datasets C,
    # the scientific summary D (not public: the register searches A-C only). GIN-indexed.
    search_vector = SearchVectorField(null=True, blank=True, editable=False)

    # The fields the sector expects (HDR UK Data Use Register); blank means "not stated".
    legal_basis_art6 = models.CharField(
        hdruk.LABELS["legal_basis_art6"],
        max_length=10,
        choices=hdruk.LegalBasisArt6.choices,
        blank=True,
    )
    legal_basis_art9 = models.CharField(
        hdruk.LABELS["legal_basis_art9"],
        max_length=10,
        choices=hdruk.LegalBasisArt9.choices,
        blank=True,
        help_text=_("For health data, the condition that lifts the ban on special categories."),
    )
    confidentiality_basis = models.CharField(
        hdruk.LABELS["confidentiality_basis"],
        max_length=20,
        choices=hdruk.ConfidentialityBasis.choices,
        blank=True,
    )
    national_opt_out = models.CharField(
        hdruk.LABELS["national_opt_out"],
        max_length=20,
        choices=hdruk.OptOut.choices,
        blank=True,
        help_text=_("Whether people who opted out of research use are removed from the data."),
    )
    funders_sponsors = models.TextField(
        hdruk.LABELS["funders_sponsors"],
        blank=True,
        help_text=_("Organisations that fund or sponsor the project, one per line."),
    )
    other_approval_committees = models.TextField(
        hdruk.LABELS["other_approval_committees"],
        blank=True,
        help_text=_("Ethics committees and other bodies that approved the project, one per line."),
    )
    dataset_linkage = models.TextField(
        hdruk.LABELS["dataset_linkage"],
        blank=True,
        help_text=_("Which datasets are linked to each other, and how (blank if none)."),
    )
    research_outputs = models.TextField(
        hdruk.LABELS["research_outputs"],
        blank=True,
        help_text=_("Publications and other outputs, one per line, each with its link."),
    )
    accredited_researcher = models.CharField(
        hdruk.LABELS["accredited_researcher"],
        max_length=10,
        choices=hdruk.AccreditedStatus.choices,
        blank=True,
        help_text=_("Whether the researchers are accredited (e.g. under the Digital Economy Act)."),
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("application")
        permissions = [
            ("view_application_object", _("Can see this application")),
            ("edit_application_object", _("Can edit this application")),
        ]
        indexes = [
            models.Index(fields=["state", "submitted_at"], name="application_queue_idx"),
            models.Index(fields=["applicant", "state"], name="application_applicant_idx"),
            # The lists at 100,000 rows (issue 11): each index matches one list's filter and order.
            models.Index(
                fields=["submitted_at", "id"],
                condition=models.Q(
                    state__in=["submitted", "revision_requested", "in_review", "awaiting_decision"]
                ),
                name="application_open_queue_idx",
            ),
            models.Index(
                fields=["decided_at", "id"],
                # The register's condition (applications.rules.public_q): decided uses, and
                # projects whose amendment is under review.
                condition=(
                    models.Q(state__in=["approved", "active", "suspended", "revoked", "closed"])
                    | models.Q(
                        state__in=[
                            "revision_requested",
                            "submitted",
                            "in_review",
                            "awaiting_decision",
                        ],
                        activated_at__isnull=False,
                    )
                )
                & models.Q(reference__isnull=False),
                name="application_public_idx",
            ),
            models.Index(fields=["updated_at", "id"], name="application_updated_idx"),
            # application_submitted_idx (newest submission first, drafts last) is created by
            # migration 0004 on PostgreSQL only: SQLite has no NULLS LAST in an index.
            models.Index(fields=["applicant", "updated_at"], name="application_mine_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(state__in=ApplicationState.values),
                name="application_state_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(end_date__isnull=True)
                | models.Q(start_date__isnull=True)
                | models.Q(end_date__gte=models.F("start_date")),
                name="application_dates_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference or _('Draft')}: {self.title}"


class TeamMember(models.Model):
    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="team")
    name = models.CharField(_("name"), max_length=200)
    role = models.CharField(_("role in the project"), max_length=200)
    organisation = models.CharField(_("organisation"), max_length=200)
    email = models.EmailField(_("e-mail"), blank=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name


class DatasetRequest(models.Model):
    """One requested dataset, with its access mode and its custodian's own decision."""

    class State(models.TextChoices):
        PENDING = "pending", _("Pending")
        GRANTED = "granted", _("Granted")
        DECLINED = "declined", _("Declined")
        # What became of granted access when the project's life changed (project services).
        SUSPENDED = "suspended", _("Granted; access suspended")
        REVOKED = "revoked", _("Granted; access revoked")
        EXPIRED = "expired", _("Granted; access expired")
        ENDED = "ended", _("Granted; access ended (project closed)")

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="dataset_requests"
    )
    dataset = models.ForeignKey(
        "catalog.Dataset", on_delete=models.PROTECT, related_name="requests"
    )
    access_mode = models.CharField(
        _("access mode"),
        max_length=30,
        choices=AccessMode.choices,
        default=AccessMode.FEDERATED,
    )
    justification = models.TextField(
        _("why this access mode"),
        blank=True,
        help_text=_("Required for a transfer: why federated analysis will not do."),
    )
    variables = models.TextField(_("variables needed"), blank=True)
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_reason = models.TextField(blank=True)
    decision_conditions = models.TextField(blank=True)
    # Copies of the application's ``submitted_at`` and of whether it has left the draft, kept
    # by database triggers (migration 0013) on every write of either row: the custodian's
    # list filters, orders and counts within this table, from its own indexes, instead of
    # joining and sorting every request of the custodian on each page.
    application_submitted_at = models.DateTimeField(null=True, blank=True, editable=False)
    application_filed = models.BooleanField(default=False, editable=False)

    class Meta:
        ordering = ["id"]
        indexes = [
            # The custodian's list: by decision state, newest submission first; its count.
            models.Index(
                fields=["state", "-application_submitted_at", "id"],
                name="dataset_request_custodian_idx",
                condition=models.Q(application_filed=True),
            ),
            models.Index(
                fields=["dataset", "state"],
                name="dataset_request_filed_idx",
                condition=models.Q(application_filed=True),
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["application", "dataset"], name="dataset_request_unique"
            ),
            models.CheckConstraint(
                condition=models.Q(
                    state__in=[
                        "pending",
                        "granted",
                        "declined",
                        "suspended",
                        "revoked",
                        "expired",
                        "ended",
                    ]
                ),
                name="dataset_request_state_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.application_id} → {self.dataset_id}"

    AUDIT_LABEL_RELATED = ("application", "dataset")

    def audit_label(self) -> str:
        """How the audit trail names a request: the dataset and the application asking."""
        return f"{self.dataset.title} · {self.application.reference or self.application.title}"

    @property
    def custodian_decision(self) -> str:
        """The custodian's own decision, whatever became of the access since."""
        if self.state in ACCESS_WITHDRAWN_STATES:
            return self.State.GRANTED
        return self.state


# Granted access that the project's life took away (for a while, or for good).
ACCESS_WITHDRAWN_STATES = [
    DatasetRequest.State.SUSPENDED,
    DatasetRequest.State.REVOKED,
    DatasetRequest.State.EXPIRED,
    DatasetRequest.State.ENDED,
]


class FrozenVersionError(Exception):
    """A submitted version is frozen: it is never changed or removed."""


class FrozenVersionQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise FrozenVersionError("Application versions are frozen and cannot be updated.")

    def delete(self):
        raise FrozenVersionError("Application versions are frozen and cannot be deleted.")


class ApplicationVersion(models.Model):
    """The frozen content of an application at one submission. Never changed.

    Append-only three times over: this model and its queryset refuse updates and deletes, a
    PostgreSQL trigger refuses them in the database, and the submit audit event carries the
    content's SHA-256, which ``verify_audit`` recomputes.
    """

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    content = models.JSONField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = FrozenVersionQuerySet.as_manager()

    class Meta:
        ordering = ["application", "number"]
        constraints = [
            models.UniqueConstraint(fields=["application", "number"], name="version_unique")
        ]

    def __str__(self) -> str:
        return f"{self.application_id} v{self.number}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise FrozenVersionError("Application versions are frozen and cannot be updated.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise FrozenVersionError("Application versions are frozen and cannot be deleted.")


class AcknowledgingParty(models.TextChoices):
    COMMITTEE = "committee", _("The review committee (before approval)")
    CUSTODIAN = "custodian", _("The dataset's custodian (before granting)")


class ConsentAcknowledgement(models.Model):
    """A consent conflict (a DUO term of a dataset the purpose does not satisfy) acknowledged
    with a written reason by the committee or by the dataset's custodian. Never changed."""

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="consent_acknowledgements"
    )
    dataset = models.ForeignKey("catalog.Dataset", on_delete=models.PROTECT, related_name="+")
    term = models.CharField(_("DUO term"), max_length=30)
    party = models.CharField(max_length=10, choices=AcknowledgingParty.choices)
    reason = models.TextField(_("why the use may proceed despite the conflict"))
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    acknowledged_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["acknowledged_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["application", "dataset", "term", "party"],
                name="consent_acknowledgement_once",
            ),
            models.CheckConstraint(
                condition=models.Q(party__in=["committee", "custodian"]),
                name="consent_acknowledgement_party_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.application_id} {self.dataset_id} {self.term} ({self.party})"


def attachment_path(instance, filename):
    return f"applications/{instance.application_id}/{instance.sha256}"


class Attachment(models.Model):
    class Kind(models.TextChoices):
        PROTOCOL = "protocol", _("Study protocol")
        ETHICS = "ethics_approval", _("Ethics approval")
        DPIA = "dpia", _("Data-protection impact assessment")
        CV = "cv", _("CV")
        OTHER = "other", _("Other")

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="attachments"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    file = models.FileField(upload_to=attachment_path, max_length=300)
    original_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["uploaded_at", "id"]

    def __str__(self) -> str:
        return self.original_name


# Co-applicants and the conversation live in their own modules (imported for the app registry).
from .conversation import Message, MessageAttachment  # noqa: E402, F401
from .team import ApplicationMember  # noqa: E402, F401
