"""Benefit-sharing agreements, their obligations and the solidarity-fund ledger (DESIGN §6)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .money import CURRENCY_CHOICES, DEFAULT_CURRENCY


class AppendOnlyError(Exception):
    """Ledger rows are never changed or removed; a mistake is corrected by an adjustment."""


class AgreementKind(models.TextChoices):
    COMMERCIAL = "commercial", _("Commercial use")
    PUBLIC_RESEARCH = "public_research", _("Public research")
    MIXED = "mixed", _("Mixed (public and commercial)")


class AgreementState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PROPOSED = "proposed", _("Proposed")
    SIGNED = "signed", _("Signed")
    IN_FORCE = "in_force", _("In force")
    FULFILLED = "fulfilled", _("Fulfilled")
    BREACHED = "breached", _("In breach")
    TERMINATED = "terminated", _("Terminated")


class BenefitAgreement(models.Model):
    """What an approved project gives back, agreed between the committee and the applicant."""

    application = models.ForeignKey(
        "applications.Application", on_delete=models.PROTECT, related_name="benefit_agreements"
    )
    kind = models.CharField(_("kind of use"), max_length=20, choices=AgreementKind.choices)
    state = models.CharField(
        max_length=20, choices=AgreementState.choices, default=AgreementState.DRAFT, db_index=True
    )
    terms = models.TextField(_("terms"))
    terms_version = models.PositiveIntegerField(
        default=0, help_text=_("The number of the last proposed (frozen) version of the terms.")
    )
    grace_days = models.PositiveIntegerField(
        _("grace period in days"),
        help_text=_("How long an obligation may stay overdue before the agreement is in breach."),
    )
    drafted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    state_reason = models.TextField(blank=True)
    proposed_at = models.DateTimeField(null=True, blank=True)
    signed_at = models.DateTimeField(null=True, blank=True)
    in_force_at = models.DateTimeField(null=True, blank=True)
    breached_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("benefit agreement")
        indexes = [models.Index(fields=["created_at", "id"], name="benefit_agreement_list_idx")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(state__in=AgreementState.values),
                name="benefit_agreement_state_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(kind__in=AgreementKind.values),
                name="benefit_agreement_kind_valid",
            ),
            models.UniqueConstraint(
                fields=["application"],
                condition=~models.Q(state="terminated"),
                name="benefit_agreement_one_live_per_application",
            ),
        ]

    def __str__(self) -> str:
        return f"BSA-{self.pk} ({self.application_id})"

    AUDIT_LABEL_RELATED = ("application",)

    def audit_label(self) -> str:
        """How the audit trail names this agreement: "BSA-2 for DSA-2026-0002"."""
        return f"BSA-{self.pk} for {self.application.reference or self.application.title}"

    @property
    def is_editable(self) -> bool:
        return self.state == AgreementState.DRAFT


class TermsVersion(models.Model):
    """The terms and obligations as proposed at one moment; what signatures refer to. Frozen."""

    agreement = models.ForeignKey(
        BenefitAgreement, on_delete=models.CASCADE, related_name="versions"
    )
    number = models.PositiveIntegerField()
    content = models.JSONField()
    sha256 = models.CharField(max_length=64)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["agreement", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["agreement", "number"], name="benefit_terms_version_unique"
            )
        ]

    def __str__(self) -> str:
        return f"BSA-{self.agreement_id} v{self.number}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnlyError("A frozen version of the terms cannot be changed.")
        super().save(*args, **kwargs)


class SignatureSide(models.TextChoices):
    APPLICANT = "applicant", _("Applicant")
    COMMITTEE = "committee", _("Committee")


class Signature(models.Model):
    """Who signed which version of the terms, for which side, and when."""

    agreement = models.ForeignKey(
        BenefitAgreement, on_delete=models.CASCADE, related_name="signatures"
    )
    side = models.CharField(max_length=20, choices=SignatureSide.choices)
    version = models.PositiveIntegerField()
    terms_sha256 = models.CharField(max_length=64)
    signer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    signed_at = models.DateTimeField()

    class Meta:
        ordering = ["signed_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["agreement", "version", "side"], name="benefit_signature_once_per_side"
            ),
            models.CheckConstraint(
                condition=models.Q(side__in=SignatureSide.values),
                name="benefit_signature_side_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.signer} for {self.side}, v{self.version}"


class ObligationKind(models.TextChoices):
    REVENUE_SHARE = "revenue_share", _("Share of revenue")
    FIXED_PAYMENT = "fixed_payment", _("Fixed payment")
    OPEN_ACCESS = "open_access", _("Open-access publication of results")
    RETURN_OF_RESULTS = "return_of_results", _("Return of results to the community")
    CAPACITY_BUILDING = "capacity_building", _("Capacity building at the data holder")
    AFFORDABLE_ACCESS = "affordable_access", _("Affordable access to resulting products")
    RETURN_OF_DATA = "return_of_data", _("Return of derived data or code to the custodian")


MONETARY_KINDS = [ObligationKind.REVENUE_SHARE, ObligationKind.FIXED_PAYMENT]
# What satisfies "commercial involvement needs a monetary or access obligation".
MONETARY_OR_ACCESS_KINDS = [*MONETARY_KINDS, ObligationKind.AFFORDABLE_ACCESS]


class BeneficiaryKind(models.TextChoices):
    FUND = "fund", _("The solidarity fund")
    COMMUNITY = "community", _("A named community")
    CUSTODIAN = "custodian", _("The custodian institution")


class Recurrence(models.TextChoices):
    ONCE = "once", _("Once, by the due date")
    MONTHLY = "monthly", _("Monthly until the project ends")
    QUARTERLY = "quarterly", _("Quarterly until the project ends")
    YEARLY = "yearly", _("Yearly until the project ends")


RECURRENCE_MONTHS = {
    Recurrence.ONCE: 0,
    Recurrence.MONTHLY: 1,
    Recurrence.QUARTERLY: 3,
    Recurrence.YEARLY: 12,
}


class ObligationState(models.TextChoices):
    PENDING = "pending", _("Pending")
    REPORTED = "reported", _("Reported")
    VERIFIED = "verified", _("Verified")
    OVERDUE = "overdue", _("Overdue")
    WAIVED = "waived", _("Waived")


class Obligation(models.Model):
    """One thing the project owes, to whom, by when (once or per period), and how it is shown."""

    agreement = models.ForeignKey(
        BenefitAgreement, on_delete=models.CASCADE, related_name="obligations"
    )
    kind = models.CharField(_("kind"), max_length=30, choices=ObligationKind.choices)
    description = models.TextField(_("what is owed, in plain language"))
    beneficiary = models.CharField(_("beneficiary"), max_length=20, choices=BeneficiaryKind.choices)
    community = models.CharField(
        _("community"),
        max_length=200,
        blank=True,
        help_text=_("The community that benefits, when the beneficiary is a named community."),
    )
    share_basis_points = models.PositiveIntegerField(
        _("share of revenue (basis points)"), null=True, blank=True
    )
    amount_minor = models.BigIntegerField(_("amount (minor units)"), null=True, blank=True)
    currency = models.CharField(
        _("currency"), max_length=3, choices=CURRENCY_CHOICES, default=DEFAULT_CURRENCY
    )
    recurrence = models.CharField(
        _("recurrence"), max_length=20, choices=Recurrence.choices, default=Recurrence.ONCE
    )
    due_date = models.DateField(_("due date (first due date when recurring)"))
    ends_on = models.DateField(_("last period ends on"), null=True, blank=True)
    evidence_expected = models.TextField(_("evidence expected"), blank=True)
    state = models.CharField(
        max_length=20, choices=ObligationState.choices, default=ObligationState.PENDING
    )
    periods_verified = models.PositiveIntegerField(default=0)
    shortfall_minor = models.BigIntegerField(
        _("still owed for the current period (minor units)"),
        default=0,
        help_text=_(
            "Left open by a payment short of the amount due; the period is met only when it "
            "is paid."
        ),
    )
    overdue_since = models.DateField(null=True, blank=True)
    state_reason = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["due_date", "id"]
        verbose_name = _("obligation")
        indexes = [
            models.Index(fields=["state", "due_date"], name="obligation_due_idx"),
            models.Index(fields=["due_date", "id"], name="obligation_list_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(state__in=ObligationState.values),
                name="obligation_state_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(kind__in=ObligationKind.values), name="obligation_kind_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(recurrence__in=Recurrence.values),
                name="obligation_recurrence_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(amount_minor__isnull=True) | models.Q(amount_minor__gt=0),
                name="obligation_amount_positive",
            ),
            models.CheckConstraint(
                condition=models.Q(share_basis_points__isnull=True)
                | models.Q(share_basis_points__gt=0, share_basis_points__lte=10000),
                name="obligation_share_in_range",
            ),
            models.CheckConstraint(
                condition=models.Q(shortfall_minor__gte=0), name="obligation_shortfall_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.agreement})"

    AUDIT_LABEL_RELATED = ("agreement__application",)

    def audit_label(self) -> str:
        """How the audit trail names an obligation: its kind and the project it binds."""
        return f"{self.get_kind_display()} · {self.agreement.audit_label()}"

    @property
    def is_monetary(self) -> bool:
        return self.kind in MONETARY_KINDS

    @property
    def is_recurring(self) -> bool:
        return self.recurrence != Recurrence.ONCE


def evidence_path(instance, filename):
    return f"benefits/{instance.obligation_id}/{instance.sha256}"


class ReportState(models.TextChoices):
    SUBMITTED = "submitted", _("Awaiting verification")
    VERIFIED = "verified", _("Verified")
    SHORT = "short", _("Paid short of the amount due")
    REJECTED = "rejected", _("Rejected")


class ObligationReport(models.Model):
    """The applicant's account of how one period of an obligation was met."""

    obligation = models.ForeignKey(Obligation, on_delete=models.CASCADE, related_name="reports")
    period_due = models.DateField(_("period due on"))
    amount_minor = models.BigIntegerField(_("amount paid (minor units)"), null=True, blank=True)
    revenue_minor = models.BigIntegerField(
        _("revenue in the period (minor units)"), null=True, blank=True
    )
    amount_due_minor = models.BigIntegerField(
        _("amount due (minor units)"),
        null=True,
        blank=True,
        help_text=_(
            "Computed when reported: the fixed amount, the agreed share of the reported revenue, "
            "or what an earlier short payment left open."
        ),
    )
    shortfall_minor = models.BigIntegerField(_("left unpaid (minor units)"), default=0)
    currency = models.CharField(max_length=3, choices=CURRENCY_CHOICES, default=DEFAULT_CURRENCY)
    text = models.TextField(_("what was done"), blank=True)
    evidence_link = models.URLField(_("link to evidence"), blank=True, max_length=500)
    evidence_file = models.FileField(upload_to=evidence_path, blank=True, max_length=300)
    evidence_name = models.CharField(max_length=255, blank=True)
    evidence_content_type = models.CharField(max_length=100, blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    state = models.CharField(
        max_length=20, choices=ReportState.choices, default=ReportState.SUBMITTED
    )
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    reported_at = models.DateTimeField(auto_now_add=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["-reported_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(state__in=ReportState.values),
                name="obligation_report_state_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(amount_minor__isnull=True) | models.Q(amount_minor__gte=0),
                name="obligation_report_amount_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"Report {self.pk} on obligation {self.obligation_id}"


# ---------------------------------------------------------------------------------------------
# The solidarity fund: an append-only, double-entry ledger in integer minor units per currency.


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError("The fund ledger cannot be updated; record an adjustment.")

    def delete(self):
        raise AppendOnlyError("The fund ledger cannot be deleted from; record an adjustment.")


class FundAccount(models.Model):
    """One row per currency; locked (select_for_update) to serialise movements of that currency.

    The balance is not stored here: it is always derived from the ledger entries.
    """

    currency = models.CharField(max_length=3, primary_key=True, choices=CURRENCY_CHOICES)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.currency


class TransactionKind(models.TextChoices):
    INFLOW = "inflow", _("Inflow (payment received)")
    OUTFLOW = "outflow", _("Outflow (disbursement)")
    ADJUSTMENT = "adjustment", _("Adjustment (correction)")


class LedgerAccount(models.TextChoices):
    FUND = "fund", _("Solidarity fund")
    CONTRIBUTIONS = "contributions", _("Contributions from projects")
    DISBURSEMENTS = "disbursements", _("Disbursements (redress)")
    CORRECTIONS = "corrections", _("Corrections")


# Fund sources in words; the stored source type is a code other apps set.
SOURCE_LABELS = {
    "demo_seed": _("Opening contribution (demo data)"),
    "obligation_report": _("Payment reported on an obligation"),
    "harms.redressaction": _("Financial redress for a harm"),
    "fund_transaction": _("Correction of an earlier entry"),
    "": "",
}


class FundTransaction(models.Model):
    """One movement of money; its entries (two or more) always sum to zero."""

    kind = models.CharField(max_length=20, choices=TransactionKind.choices)
    currency = models.CharField(max_length=3, choices=CURRENCY_CHOICES)
    amount_minor = models.BigIntegerField(
        help_text=_("The change to the fund's balance: positive in, negative out.")
    )
    reason = models.TextField()
    source_type = models.CharField(max_length=50, blank=True, db_index=True)
    source_id = models.CharField(max_length=64, blank=True)
    agreement = models.ForeignKey(
        BenefitAgreement,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="fund_transactions",
    )
    community = models.CharField(max_length=200, blank=True)
    corrects = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="corrections"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(db_index=True)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("fund transaction")
        indexes = [
            models.Index(fields=["currency", "created_at"], name="fund_tx_currency_idx"),
            models.Index(fields=["kind", "created_at"], name="fund_tx_kind_idx"),
            # Totals per community: the few entries earmarked for one, not the whole ledger.
            models.Index(
                fields=["community", "currency"],
                condition=~models.Q(community=""),
                name="fund_tx_community_idx",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=TransactionKind.values), name="fund_tx_kind_valid"
            ),
            models.CheckConstraint(
                condition=~models.Q(amount_minor=0), name="fund_tx_amount_not_zero"
            ),
            models.CheckConstraint(
                condition=models.Q(kind="adjustment", corrects__isnull=False)
                | (~models.Q(kind="adjustment") & models.Q(corrects__isnull=True)),
                name="fund_tx_adjustment_cites_entry",
            ),
            models.CheckConstraint(
                condition=models.Q(kind="adjustment")
                | models.Q(kind="inflow", amount_minor__gt=0)
                | models.Q(kind="outflow", amount_minor__lt=0),
                name="fund_tx_sign_matches_kind",
            ),
        ]

    def __str__(self) -> str:
        return self.audit_label()

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnlyError("The fund ledger cannot be updated; record an adjustment.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("The fund ledger cannot be deleted from; record an adjustment.")

    def audit_label(self) -> str:
        """How the audit trail and the ledger name this entry: "FT-3: outflow, €500.00"."""
        from .money import format_money

        return f"FT-{self.pk}: {self.get_kind_display().lower()}, " + format_money(
            abs(self.amount_minor) if self.kind == "outflow" else self.amount_minor, self.currency
        )

    @property
    def source_label(self) -> str:
        """Where the money came from or went, in words (the source type is a code)."""
        return str(SOURCE_LABELS.get(self.source_type, self.source_type))


class FundEntry(models.Model):
    """One leg of a transaction: a signed amount on one ledger account."""

    transaction = models.ForeignKey(
        FundTransaction, on_delete=models.PROTECT, related_name="entries"
    )
    account = models.CharField(max_length=20, choices=LedgerAccount.choices)
    currency = models.CharField(max_length=3, choices=CURRENCY_CHOICES)
    amount_minor = models.BigIntegerField()

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["id"]
        indexes = [
            models.Index(fields=["account", "currency"], name="fund_entry_account_idx"),
            # The balance is a SUM over the fund's entries: read from the index alone.
            models.Index(
                fields=["account", "currency"],
                include=["amount_minor"],
                name="fund_entry_balance_idx",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(amount_minor=0), name="fund_entry_amount_not_zero"
            ),
            models.CheckConstraint(
                condition=models.Q(account__in=LedgerAccount.values),
                name="fund_entry_account_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.account} {self.amount_minor} {self.currency}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnlyError("The fund ledger cannot be updated; record an adjustment.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("The fund ledger cannot be deleted from; record an adjustment.")


class ReservationState(models.TextChoices):
    OPEN = "open", _("Open (earmarked)")
    RELEASED = "released", _("Released")
    CONSUMED = "consumed", _("Paid out")


class FundReservation(models.Model):
    """Money earmarked for a promise the fund has made (e.g. an offer of financial redress).

    The fund's *available* amount is its balance minus its open reservations; nothing is
    promised that the fund cannot pay. A reservation is released when the promise lapses
    (declined, withdrawn) and consumed when it is paid out; it is never deleted.
    """

    currency = models.CharField(max_length=3, choices=CURRENCY_CHOICES)
    amount_minor = models.BigIntegerField()
    reason = models.TextField()
    source_type = models.CharField(max_length=50)
    source_id = models.CharField(max_length=64)
    state = models.CharField(
        max_length=20, choices=ReservationState.choices, default=ReservationState.OPEN
    )
    transaction = models.ForeignKey(
        FundTransaction,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reservations",
        help_text=_("The outflow that consumed this reservation."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("fund reservation")
        indexes = [
            models.Index(fields=["currency", "state"], name="fund_reservation_open_idx"),
            models.Index(fields=["source_type", "source_id"], name="fund_reservation_source_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(state__in=ReservationState.values),
                name="fund_reservation_state_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(amount_minor__gt=0), name="fund_reservation_amount_positive"
            ),
            models.CheckConstraint(
                condition=~models.Q(state="consumed") | models.Q(transaction__isnull=False),
                name="fund_reservation_consumed_names_outflow",
            ),
            models.UniqueConstraint(
                fields=["source_type", "source_id"],
                condition=models.Q(state="open"),
                name="fund_reservation_one_open_per_source",
            ),
        ]

    def __str__(self) -> str:
        return f"FR-{self.pk} {self.amount_minor} {self.currency} ({self.state})"

    @property
    def is_open(self) -> bool:
        return self.state == ReservationState.OPEN
