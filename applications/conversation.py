"""One conversation per application: messages between the applicant's team and the committee.

Each message is ``public`` (the applicant's team reads it) or ``committee`` (committee only).
The revision request is a message of kind ``revision_request``; the team's answer to it is a
``revision_answer`` that replies to it and is shown to the committee beside the new version.

Who reads committee-only messages is decided in ``applications.permissions``; whether an
assigned reviewer has filed their own assessment (blind filing) is the reviews app's
knowledge, which it plugs in through ``register_reviewer_standing``.
"""

from collections.abc import Callable

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Visibility(models.TextChoices):
    PUBLIC = "public", _("Visible to the applicant's team")
    COMMITTEE = "committee", _("Committee only")


class MessageKind(models.TextChoices):
    NOTE = "note", _("Message")
    REVISION_REQUEST = "revision_request", _("Revision request")
    REVISION_ANSWER = "revision_answer", _("Answer to the revision request")


class Message(models.Model):
    """One message of an application's conversation. Never edited."""

    application = models.ForeignKey(
        "applications.Application", on_delete=models.CASCADE, related_name="messages"
    )
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    visibility = models.CharField(
        _("who may read it"), max_length=10, choices=Visibility.choices, default=Visibility.PUBLIC
    )
    kind = models.CharField(max_length=20, choices=MessageKind.choices, default=MessageKind.NOTE)
    body = models.TextField(_("message"))
    reply_to = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="replies"
    )
    # The version the application had when the message was written: an answer to a revision
    # request is shown beside the version that follows it.
    version = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("message in a conversation")
        indexes = [
            models.Index(
                fields=["application", "visibility", "created_at", "id"],
                name="app_message_thread_idx",
            )
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(visibility__in=Visibility.values),
                name="app_message_visibility_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(kind__in=MessageKind.values), name="app_message_kind_valid"
            ),
            # The revision request and its answer are the applicant's to read.
            models.CheckConstraint(
                condition=models.Q(kind="note") | models.Q(visibility="public"),
                name="app_message_revision_public",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.application_id} #{self.pk} ({self.visibility})"

    AUDIT_LABEL_RELATED = ("application",)

    def audit_label(self) -> str:
        """How the audit trail names a message: the application and who may read it."""
        return (
            f"{self.application.reference or self.application.title} · "
            f"{self.get_visibility_display()}"
        )


def message_attachment_path(instance, filename):
    return f"applications/{instance.message.application_id}/messages/{instance.sha256}"


class MessageAttachment(models.Model):
    """A file attached to a message, checked by the same rules as the application's uploads."""

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to=message_attachment_path, max_length=300)
    original_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)

    class Meta:
        ordering = ["id"]
        verbose_name = _("attachment of a message")

    def __str__(self) -> str:
        return self.original_name


# ---- what the reviews app tells this one ------------------------------------------------

# ``standing(user, application) -> "filed" | "pending" | None``: the user's place as an assigned
# reviewer ("filed": has filed their own assessment; "pending": assigned, not filed yet; None:
# not an assigned reviewer, or recused).
_standing: list[Callable] = []


def register_reviewer_standing(standing: Callable) -> Callable:
    if standing not in _standing:
        _standing.append(standing)
    return standing


def reviewer_standing(user, application) -> str | None:
    found = None
    for standing in _standing:
        value = standing(user, application)
        if value == "filed":
            return value
        found = found or value
    return found
