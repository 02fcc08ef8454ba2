"""Access grants, the keys that sign their visas, the nodes that enforce them, pushes, runs."""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from solidarity.catalog.models import AccessMode


class EndReason(models.TextChoices):
    SUSPENDED = "suspended", _("Project suspended")
    REVOKED = "revoked", _("Project revoked")
    EXPIRED = "expired", _("Access expired")
    CLOSED = "closed", _("Project closed")
    AMENDED = "amended", _("Amendment under review")
    MEMBER_REMOVED = "member_removed", _("Member removed from the project")


class Grant(models.Model):
    """One project member's access to one granted dataset, while the project is active.

    A grant is never deleted: it ends (with a reason) and may resume; ``updated_at`` moves on
    every change so that nodes can sync incrementally."""

    application = models.ForeignKey(
        "applications.Application", on_delete=models.PROTECT, related_name="grants"
    )
    # Kept while the request exists; an amendment may remove it (the grant then stays ended).
    dataset_request = models.ForeignKey(
        "applications.DatasetRequest",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="grants",
    )
    dataset = models.ForeignKey("catalog.Dataset", on_delete=models.PROTECT, related_name="+")
    # The dataset's custodian, kept on the row: every node query filters on it.
    organisation = models.ForeignKey(
        "catalog.Organisation", on_delete=models.PROTECT, related_name="grants"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="access_grants"
    )
    access_mode = models.CharField(max_length=30, choices=AccessMode.choices)
    started_at = models.DateTimeField()
    resumed_at = models.DateTimeField(null=True, blank=True)
    expires_on = models.DateField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    end_reason = models.CharField(max_length=20, choices=EndReason.choices, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["updated_at", "id"]
        indexes = [
            models.Index(fields=["organisation", "updated_at", "id"], name="grant_org_sync_idx"),
            models.Index(fields=["user", "ended_at"], name="grant_user_idx"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["application", "dataset", "user"], name="grant_unique"),
            models.CheckConstraint(
                condition=models.Q(end_reason__in=["", *EndReason.values]),
                name="grant_end_reason_valid",
            ),
            models.CheckConstraint(
                condition=(models.Q(ended_at__isnull=True) & models.Q(end_reason=""))
                | (models.Q(ended_at__isnull=False) & ~models.Q(end_reason="")),
                name="grant_end_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"G-{self.pk}"

    @property
    def is_current(self) -> bool:
        return self.ended_at is None


class SigningKey(models.Model):
    """A visa-signing key pair. The private key is Fernet-encrypted (``VISA_KEY_SECRET``, or a
    key derived from SECRET_KEY); the public key stays in the JWKS until ``publish_until``."""

    kid = models.CharField(max_length=64, unique=True)
    algorithm = models.CharField(max_length=10, default="ES256")
    public_jwk = models.JSONField()
    private_key_encrypted = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)
    retired_at = models.DateTimeField(null=True, blank=True)
    # After retirement: the latest expiry of any visa it can have signed.
    publish_until = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.kid


class Node(models.Model):
    """A federated node, trusted research environment or analysis server of a custodian."""

    organisation = models.ForeignKey(
        "catalog.Organisation", on_delete=models.PROTECT, related_name="nodes"
    )
    name = models.CharField(_("name"), max_length=200)
    webhook_url = models.URLField(
        _("webhook URL"),
        max_length=500,
        blank=True,
        help_text=_("Where grant changes are POSTed. Leave empty to poll instead."),
    )
    # The credential is "sol_node_<prefix>.<secret>": the prefix finds the row, only the
    # SHA-256 of the secret is kept.
    credential_prefix = models.CharField(max_length=16, unique=True)
    credential_hash = models.CharField(max_length=64)
    # Needed in clear to sign pushes, so kept encrypted (same key as the visa keys).
    webhook_secret_encrypted = models.TextField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    last_seen_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["organisation", "name", "id"]
        verbose_name = _("node")

    def __str__(self) -> str:
        return self.name

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class DeliveryState(models.TextChoices):
    PENDING = "pending", _("Waiting to be delivered")
    DELIVERED = "delivered", _("Delivered")
    FAILED = "failed", _("Given up")
    CANCELLED = "cancelled", _("Cancelled (node revoked)")


class WebhookDelivery(models.Model):
    """The outbox row of one grant change pushed to one node; retried until delivered."""

    node = models.ForeignKey(Node, on_delete=models.CASCADE, related_name="deliveries")
    grant = models.ForeignKey(Grant, on_delete=models.PROTECT, related_name="deliveries")
    event_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    event = models.CharField(max_length=30)
    payload = models.JSONField()
    state = models.CharField(
        max_length=10, choices=DeliveryState.choices, default=DeliveryState.PENDING
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    last_status = models.PositiveSmallIntegerField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    next_attempt_at = models.DateTimeField()
    delivered_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["state", "next_attempt_at"], name="webhook_due_idx"),
            models.Index(fields=["node", "created_at"], name="webhook_node_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(state__in=DeliveryState.values),
                name="webhook_delivery_state_valid",
            )
        ]

    def __str__(self) -> str:
        return f"{self.event} → {self.node_id}"


class Verdict(models.TextChoices):
    RELEASED = "released", _("Outputs released")
    WITHHELD = "withheld", _("Outputs withheld")
    NEEDS_REVIEW = "needs_review", _("Needs review")


class RunStatus(models.TextChoices):
    ACCEPTED = "accepted", _("Accepted")
    REFUSED = "refused", _("Refused")


class Run(models.Model):
    """An analysis run a node reports against a grant, with its disclosure-control verdict."""

    node = models.ForeignKey(Node, on_delete=models.PROTECT, related_name="runs")
    grant = models.ForeignKey(Grant, on_delete=models.PROTECT, related_name="runs")
    application = models.ForeignKey(
        "applications.Application", on_delete=models.PROTECT, related_name="runs"
    )
    ran_at = models.DateTimeField()
    script_sha256 = models.CharField(max_length=64, blank=True)
    job_reference = models.CharField(max_length=200, blank=True)
    outputs = models.JSONField(default=list, blank=True)
    verdict = models.CharField(max_length=20, choices=Verdict.choices)
    status = models.CharField(max_length=10, choices=RunStatus.choices)
    refusal_reason = models.TextField(blank=True)
    flagged_at = models.DateTimeField(null=True, blank=True)
    flagged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    flag_reason = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-ran_at", "-id"]
        indexes = [models.Index(fields=["application", "ran_at"], name="run_project_idx")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(verdict__in=Verdict.values), name="run_verdict_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=RunStatus.values), name="run_status_valid"
            ),
            models.CheckConstraint(
                condition=~models.Q(script_sha256="", job_reference=""),
                name="run_says_what_ran",
            ),
        ]

    def __str__(self) -> str:
        return f"R-{self.pk}"
