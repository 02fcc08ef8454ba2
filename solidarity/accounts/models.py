import secrets

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _

from .roles import has_role, user_roles


class User(AbstractUser):
    """A person who signs in. Roles are groups; organisations come through memberships."""

    display_name = models.CharField(_("display name"), max_length=150, blank=True)
    # Blank: the browser's language (until the first sign-in records it). Pages, notifications
    # and e-mails use it (solidarity.accounts.language).
    language = models.CharField(
        _("language"), max_length=10, choices=settings.LANGUAGES, blank=True, default=""
    )
    # Changed by "sign out everywhere": part of every session's hash, so all sessions end.
    session_stamp = models.CharField(max_length=32, blank=True, default="", editable=False)

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(language__in=["", *(code for code, _n in settings.LANGUAGES)]),
                name="user_language_valid",
            )
        ]

    def __str__(self) -> str:
        return self.display_name or self.get_full_name() or self.username

    @property
    def roles(self) -> set[str]:
        return user_roles(self)

    def has_role(self, *roles: str) -> bool:
        return has_role(self, *roles)

    def _get_session_auth_hash(self, secret=None):
        # Django's own hash while the stamp is empty, so existing sessions stay valid.
        key_salt = "django.contrib.auth.models.AbstractBaseUser.get_session_auth_hash"
        return salted_hmac(
            key_salt, self.password + self.session_stamp, secret=secret, algorithm="sha256"
        ).hexdigest()

    def sign_out_everywhere(self) -> None:
        """End every session of this user and revoke the API token (caller audits)."""
        from rest_framework.authtoken.models import Token

        self.session_stamp = secrets.token_hex(16)
        self.save(update_fields=["session_stamp"])
        Token.objects.filter(user=self).delete()


class Membership(models.Model):
    """A user's membership of an organisation (custodian staff, applicant's institution)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    organisation = models.ForeignKey(
        "catalog.Organisation", on_delete=models.CASCADE, related_name="memberships"
    )
    title = models.CharField(_("position"), max_length=150, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("membership")
        constraints = [
            models.UniqueConstraint(fields=["user", "organisation"], name="membership_unique")
        ]

    def __str__(self) -> str:
        return f"{self.user} @ {self.organisation}"
