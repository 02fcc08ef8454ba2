"""The conversation of an application: messages, the revision request and its answer.

Who may read and write is decided once in ``permissions.conversation_access``; each message is
audited (its body's hash, not its text) and notifies after commit: the people it mentions who
may read it, the applicant's team for a public message from the committee, and the
secretariat for a message from the applicant's team.
"""

import hashlib
import re

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from solidarity import audit
from solidarity.accounts.roles import Role
from solidarity.errors import DomainError
from solidarity.notifications.services import notify
from solidarity.uploads import check_upload

from .. import permissions as perms
from ..conversation import Message, MessageAttachment, MessageKind, Visibility
from ..models import ApplicationState
from ..team import MemberState
from ._common import _locked, _require, _role_users, _url

MAX_BODY = 10_000
MAX_FILES = 5
MENTION = re.compile(r"(?<![\w@])@([\w.+-]{1,150})")


def mentioned_usernames(body: str) -> list[str]:
    """``@username`` mentions in a message, in order, without repeats."""
    seen: list[str] = []
    for name in MENTION.findall(body or ""):
        name = name.rstrip(".")
        if name and name not in seen:
            seen.append(name)
    return seen


def team_accounts(application) -> list:
    """The applicant and the accepted co-applicants (active accounts)."""
    users = list(
        get_user_model().objects.filter(
            is_active=True,
            application_memberships__application_id=application.pk,
            application_memberships__state=MemberState.ACCEPTED,
        )
    )
    return [application.applicant, *users]


def _check_body(body: str) -> str:
    body = (body or "").strip()
    if not body:
        message = _("Write the message.")
        raise DomainError(message, field_errors={"body": [message]})
    if len(body) > MAX_BODY:
        message = _("A message has at most %(n)s characters; this one has %(m)s.") % {
            "n": MAX_BODY,
            "m": len(body),
        }
        raise DomainError(message, field_errors={"body": [message]})
    return body


def _check_files(files) -> list:
    files = [f for f in (files or []) if f]
    if len(files) > MAX_FILES:
        message = _("Attach at most %(n)s files to one message.") % {"n": MAX_FILES}
        raise DomainError(message, field_errors={"files": [message]})
    checked = []
    for uploaded in files:
        try:
            checked.append((uploaded, check_upload(uploaded)))
        except ValidationError as exc:
            raise DomainError(exc.messages[0], field_errors={"files": exc.messages}) from exc
    return checked


def _latest_revision_request(application) -> Message | None:
    return (
        Message.objects.filter(application=application, kind=MessageKind.REVISION_REQUEST)
        .order_by("-created_at", "-id")
        .first()
    )


@transaction.atomic
def message_post(
    *,
    actor,
    application,
    body: str,
    visibility: str = Visibility.PUBLIC,
    files=(),
    answer: bool = False,
) -> Message:
    """Post a message in the application's conversation.

    ``visibility`` is ``public`` (the applicant's team reads it) or ``committee``; who may
    post which is ``permissions.conversation_access``. With ``answer=True`` the message is the
    team's answer to the pending revision request (applicant or editor, while a revision is
    requested): public, replying to the request, and shown beside the next version.
    Attachments pass the same checks as the application's uploads. Audited; mentions and the
    people concerned are notified after commit."""
    application = _locked(application)
    access = perms.conversation_access(actor, application)
    reply_to = None
    kind = MessageKind.NOTE
    if answer:
        _require(access.answer_revision, _("Only the applicant's team answers a revision request."))
        reply_to = _latest_revision_request(application)
        if reply_to is None:
            raise DomainError(_("There is no revision request to answer."))
        kind, visibility = MessageKind.REVISION_ANSWER, Visibility.PUBLIC
    elif visibility not in Visibility.values:
        message = _("Choose who may read the message.")
        raise DomainError(message, field_errors={"visibility": [message]})
    allowed = access.post_public if visibility == Visibility.PUBLIC else access.post_committee
    _require(allowed, _("You may not write this message here."))
    body = _check_body(body)
    checked = _check_files(files)
    message = Message.objects.create(
        application=application,
        author=actor,
        visibility=visibility,
        kind=kind,
        body=body,
        reply_to=reply_to,
        version=application.current_version,
    )
    for uploaded, info in checked:
        attachment = MessageAttachment(
            message=message,
            original_name=info.name,
            content_type=info.content_type,
            size=info.size,
            sha256=info.sha256,
        )
        attachment.file.save(info.name, uploaded, save=False)
        attachment.save()
    audit.record(
        actor=actor,
        action="application.message_post",
        target=message,
        payload={
            "application": application.pk,
            "visibility": visibility,
            "kind": kind,
            "body_sha256": hashlib.sha256(body.encode()).hexdigest(),
            "attachments": [info.sha256 for _u, info in checked],
        },
    )
    _notify_message(actor, application, message)
    return message


def record_revision_request(*, actor, application, text: str) -> Message:
    """The revision request as the conversation's message (called inside the transition's
    transaction by ``application_request_revision``, which audits the move)."""
    return Message.objects.create(
        application=application,
        author=actor,
        visibility=Visibility.PUBLIC,
        kind=MessageKind.REVISION_REQUEST,
        body=text,
        version=application.current_version,
    )


def _notify_message(actor, application, message: Message) -> None:
    ref = application.reference or application.title
    names = mentioned_usernames(message.body)
    mentioned = []
    if names:
        for user in get_user_model().objects.filter(username__in=names, is_active=True):
            if user.pk == actor.pk:
                continue
            if message.visibility in perms.conversation_access(user, application).visibilities():
                mentioned.append(user)
    url = _url(application) + "#conversation"
    if mentioned:
        notify(
            recipients=mentioned,
            kind="application",
            context=lambda: {
                "subject": _("You were mentioned in the conversation on %(ref)s") % {"ref": ref},
                "body": message.body[:500],
            },
            url=url,
        )
    skip = {actor.pk, *(u.pk for u in mentioned)}
    if message.visibility != Visibility.PUBLIC:
        return
    if perms.is_team_member(actor, application):
        # A draft is the team's own: the secretariat does not see it, so is not told.
        if application.state == ApplicationState.DRAFT:
            return
        others = [u for u in _role_users(Role.SECRETARIAT) if u.pk not in skip]
        if message.kind == MessageKind.REVISION_ANSWER:
            subject = gettext_noop("The applicant answered the revision request on %(ref)s")
        else:
            subject = gettext_noop("New message from the applicant on %(ref)s")
    else:
        others = [u for u in team_accounts(application) if u.pk not in skip]
        subject = gettext_noop("New message from the committee on %(ref)s")
    if others:
        notify(
            recipients=others,
            kind="application",
            # Translated per recipient (the texts above are only marked for translation).
            context=lambda: {"subject": _(subject) % {"ref": ref}, "body": message.body[:500]},
            url=url,
        )
