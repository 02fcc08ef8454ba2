import functools
import operator

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AppendOnlyError(Exception):
    """Audit events are never changed or removed."""


class AuditEventQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError("Audit events cannot be updated.")

    def delete(self):
        raise AppendOnlyError("Audit events cannot be deleted.")

    def for_target(self, obj):
        return self.filter(target_type=obj._meta.label_lower, target_id=str(obj.pk))

    def governed(self):
        """Events that can change governed data: every action but the quiet ones
        (``SEEN_BY_PUBLIC``, the condition of ``audit_public_tip_idx``)."""
        return self.filter(SEEN_BY_PUBLIC)

    def governed_tip(self) -> str:
        """The hash of the newest governed event (one read of ``audit_public_tip_idx``), or ""
        before the first. Events are appended in commit order, at commit, in the transaction
        that made the change: an answer kept under this tip is the state at that tip."""
        return self.governed().order_by("-id").values_list("hash", flat=True).first() or ""


# Actions that never change what the public register shows: sign-ins, second factors and
# account settings (frequent, so they must not throw the register's cache away). The one
# declaration of it: the partial index below and ``register.caching`` both read this condition.
QUIET_FOR_PUBLIC = ("auth.", "mfa.", "account.")
SEEN_BY_PUBLIC = functools.reduce(
    operator.and_, (~models.Q(action__startswith=prefix) for prefix in QUIET_FOR_PUBLIC)
)


class AuditEvent(models.Model):
    """One state change, chained to the one before by SHA-256 (DESIGN §7)."""

    created_at = models.DateTimeField(db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    actor_label = models.CharField(max_length=150, blank=True)
    action = models.CharField(max_length=100, db_index=True)
    target_type = models.CharField(max_length=100, blank=True)
    target_id = models.CharField(max_length=64, blank=True)
    target_repr = models.CharField(max_length=255, blank=True)
    from_state = models.CharField(max_length=40, blank=True)
    to_state = models.CharField(max_length=40, blank=True)
    payload = models.JSONField(default=dict, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["id"]
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        indexes = [
            models.Index(fields=["target_type", "target_id"], name="audit_target_idx"),
            models.Index(fields=["actor", "created_at"], name="audit_actor_idx"),
            # The newest event that can change what the public sees (the register's cache key).
            models.Index(fields=["-id"], condition=SEEN_BY_PUBLIC, name="audit_public_tip_idx"),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.action} {self.target_repr}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnlyError("Audit events cannot be updated.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("Audit events cannot be deleted.")


class ChainHead(models.Model):
    """The single row that every append locks: it serialises appends and remembers the tip."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    last_hash = models.CharField(max_length=64)
    length = models.PositiveBigIntegerField(default=0)

    class Meta:
        constraints = [models.CheckConstraint(condition=models.Q(id=1), name="chainhead_single")]

    def __str__(self) -> str:
        return f"audit chain: {self.length} events"
