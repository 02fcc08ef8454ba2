"""Read queries for co-applicants and the conversation, each in a fixed number of queries."""

from django.db.models import Prefetch, QuerySet

from . import permissions as perms
from .conversation import Message, MessageAttachment, MessageKind
from .team import ApplicationMember, MemberState


def team_of(application) -> list[ApplicationMember]:
    """Open invitations and accepted members, in invitation order (one query)."""
    return list(
        ApplicationMember.objects.filter(
            application_id=application.pk,
            state__in=(MemberState.INVITED, MemberState.ACCEPTED),
        ).select_related("user", "invited_by")
    )


def messages_visible_to(user, application) -> QuerySet:
    """The messages of the application's conversation this user may read, oldest first, with
    authors, the message replied to and attachments (two queries however many messages)."""
    visibilities = perms.conversation_access(user, application).visibilities()
    return (
        Message.objects.filter(application_id=application.pk, visibility__in=visibilities)
        .select_related("author", "reply_to")
        .prefetch_related(
            Prefetch("attachments", queryset=MessageAttachment.objects.order_by("id"))
        )
        .order_by("created_at", "id")
    )


def message_attachment_for(user, application, message_id, attachment_id):
    """One attachment of a message the user may read, or None."""
    visibilities = perms.conversation_access(user, application).visibilities()
    return (
        MessageAttachment.objects.filter(
            pk=attachment_id,
            message_id=message_id,
            message__application_id=application.pk,
            message__visibility__in=visibilities,
        )
        .select_related("message")
        .first()
    )


def revision_answers(user, application) -> dict[int, list[Message]]:
    """The team's answers to revision requests by the version they answered (the new version
    is that number plus one), for those who may read the conversation (one query)."""
    if not perms.conversation_access(user, application).read_public:
        return {}
    answers: dict[int, list[Message]] = {}
    for message in Message.objects.filter(
        application_id=application.pk, kind=MessageKind.REVISION_ANSWER
    ).select_related("author"):
        answers.setdefault(message.version, []).append(message)
    return answers
