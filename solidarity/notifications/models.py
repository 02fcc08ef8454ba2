from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Notification(models.Model):
    """An in-app message, and the outbox row for its e-mail."""

    class EmailState(models.TextChoices):
        PENDING = "pending", _("Waiting to be sent")
        SENT = "sent", _("Sent")
        SKIPPED = "skipped", _("No e-mail address")
        FAILED = "failed", _("Given up")

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notifications",
        null=True,
        blank=True,
    )
    # For an e-mail to someone without an account (an anonymous harm reporter): a key that a
    # registered resolver turns into the address at send time; the address is never stored here.
    address_key = models.CharField(max_length=100, blank=True)
    kind = models.CharField(max_length=60)
    subject = models.CharField(max_length=200)
    body = models.TextField()
    url = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    read_at = models.DateTimeField(null=True, blank=True)
    email_state = models.CharField(
        max_length=10, choices=EmailState.choices, default=EmailState.PENDING
    )
    email_attempts = models.PositiveSmallIntegerField(default=0)
    email_sent_at = models.DateTimeField(null=True, blank=True)
    email_last_error = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["recipient", "read_at"], name="notification_unread_idx"),
            models.Index(fields=["email_state", "created_at"], name="notification_outbox_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(email_state__in=["pending", "sent", "skipped", "failed"]),
                name="notification_email_state_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(recipient__isnull=False) | ~models.Q(address_key=""),
                name="notification_has_recipient_or_address",
            ),
        ]

    def __str__(self) -> str:
        return self.subject
