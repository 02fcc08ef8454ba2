"""Co-applicants: people the applicant invites to an application by e-mail.

An invitation carries a one-time token (only its SHA-256 is stored) and expires after
``settings.TEAM_INVITATION_DAYS``; accepting it links an account (created if the address has
none). Editors co-edit the draft and the revision and answer revision requests; viewers read.
Only the applicant submits. Revoked invitations and removed members see nothing.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class MemberRole(models.TextChoices):
    EDITOR = "editor", _("Editor")
    VIEWER = "viewer", _("Viewer")


class MemberState(models.TextChoices):
    INVITED = "invited", _("Invited")
    ACCEPTED = "accepted", _("Member")
    REVOKED = "revoked", _("Invitation revoked")
    REMOVED = "removed", _("Removed")


# States in which a membership still holds its place (an address is invited or belongs once).
OPEN_MEMBER_STATES = ("invited", "accepted")


class ApplicationMember(models.Model):
    """One invitation to an application's team and, once accepted, the membership."""

    application = models.ForeignKey(
        "applications.Application", on_delete=models.CASCADE, related_name="members"
    )
    email = models.EmailField(_("e-mail"))
    role = models.CharField(_("role"), max_length=10, choices=MemberRole.choices)
    state = models.CharField(
        max_length=10, choices=MemberState.choices, default=MemberState.INVITED
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="application_memberships",
    )
    token_sha256 = models.CharField(max_length=64, unique=True, editable=False)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    invited_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["invited_at", "id"]
        verbose_name = _("co-applicant")
        indexes = [
            # The visibility EXISTS: is this user an accepted member of that application?
            models.Index(
                fields=["user", "application"],
                condition=models.Q(state="accepted"),
                name="app_member_accepted_idx",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(state__in=MemberState.values),
                name="app_member_state_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(role__in=MemberRole.values), name="app_member_role_valid"
            ),
            models.CheckConstraint(
                condition=~models.Q(state="accepted") | models.Q(user__isnull=False),
                name="app_member_accepted_has_user",
            ),
            models.UniqueConstraint(
                fields=["application", "email"],
                condition=models.Q(state__in=OPEN_MEMBER_STATES),
                name="app_member_email_once",
            ),
            models.UniqueConstraint(
                fields=["application", "user"],
                condition=models.Q(state="accepted"),
                name="app_member_user_once",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.email} ({self.role}, {self.state})"

    AUDIT_LABEL_RELATED = ("application",)

    def audit_label(self) -> str:
        return f"{self.email} · {self.application.reference or self.application.title}"

    @property
    def is_expired(self) -> bool:
        return self.state == MemberState.INVITED and self.expires_at <= timezone.now()
