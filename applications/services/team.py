"""Co-applicants: invite by e-mail, accept (linking or creating an account), revoke, remove.

The applicant manages the team; every change locks the application first (the system's lock
order), is audited on the application, and notifies the person concerned after commit. A
change to the team of an active project tells the lifecycle listeners (grants follow).
"""

import datetime
import hashlib
import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from solidarity import audit
from solidarity.accounts.roles import Role
from solidarity.errors import DomainError, PermissionDenied
from solidarity.formatting import when
from solidarity.notifications.services import notify, notify_address

from .. import permissions as perms
from ..lifecycle import project_changed
from ..models import ApplicationState
from ..team import ApplicationMember, MemberRole, MemberState
from ._common import _locked, _require, _url

ADDRESS_PREFIX = "team_invitation"


def token_digest(token: str) -> str:
    return hashlib.sha256((token or "").encode()).hexdigest()


def invitation_path(token: str) -> str:
    return f"/applications/invitations/{token}/"


def invitation_address(key: str) -> str:
    """The outbox's resolver: the invited address, read at send time."""
    member = ApplicationMember.objects.filter(pk=key).only("email").first()
    return member.email if member else ""


def _account_for(email: str):
    return get_user_model().objects.filter(email__iexact=email, is_active=True).first()


def _team_changed(application, actor) -> None:
    # Grants are held by the project's members: an active project's grants follow its team.
    if application.state == ApplicationState.ACTIVE:
        project_changed(application, event="team_changed", actor=actor)


@transaction.atomic
def application_member_invite(
    *, actor, application, email: str, role: str = MemberRole.EDITOR
) -> tuple[ApplicationMember, str]:
    """Invite someone by e-mail to the application's team as ``editor`` or ``viewer``.

    Only the applicant, while the application is not finished. Returns the membership and
    the one-time token (only its hash is stored); the invitation is e-mailed after commit
    (to the account holding the address, or to the bare address) and expires after
    ``settings.TEAM_INVITATION_DAYS``. An expired invitation to the same address is closed."""
    application = _locked(application)
    _require(
        perms.can_manage_team(actor, application),
        _("Only the applicant may invite co-applicants."),
    )
    email = (email or "").strip()
    errors: dict[str, list[str]] = {}
    try:
        validate_email(email)
    except ValidationError:
        errors["email"] = [_("Enter a valid e-mail address.")]
    if role not in MemberRole.values:
        errors["role"] = [_("Choose editor or viewer.")]
    if not errors and email.lower() == (application.applicant.email or "").lower():
        errors["email"] = [_("This is the applicant's own address.")]
    if not errors:
        for other in ApplicationMember.objects.select_for_update().filter(
            application=application, email__iexact=email, state__in=("invited", "accepted")
        ):
            if other.is_expired:
                other.state = MemberState.REVOKED
                other.ended_at = timezone.now()
                other.save(update_fields=["state", "ended_at"])
            else:
                errors["email"] = [_("This address is already invited or in the team.")]
    if errors:
        raise DomainError(_("The invitation could not be sent."), field_errors=errors)
    token = secrets.token_urlsafe(32)
    member = ApplicationMember.objects.create(
        application=application,
        email=email,
        role=role,
        token_sha256=token_digest(token),
        invited_by=actor,
        expires_at=timezone.now() + datetime.timedelta(days=settings.TEAM_INVITATION_DAYS),
    )
    audit.record(
        actor=actor,
        action="application.member_invite",
        target=application,
        payload={"member": member.pk, "email": email, "role": role},
    )
    inviter = actor.get_full_name() or actor.username

    def invitation():
        # Built in the invitee's language (an account's preference, else the inviter's).
        return {
            "subject": _("Invitation to join the team of %(title)s") % {"title": application.title},
            "body": _(
                "%(name)s invites you to work on the application %(title)s as %(role)s. The "
                "invitation expires on %(when)s. Open the link to accept it."
            )
            % {
                "name": inviter,
                "title": application.title,
                "role": member.get_role_display().lower(),
                "when": when(member.expires_at),
            },
        }

    account = _account_for(email)
    if account is not None:
        notify(
            recipients=[account],
            kind="application",
            context=invitation,
            url=invitation_path(token),
        )
    else:
        notify_address(
            address_key=f"{ADDRESS_PREFIX}:{member.pk}",
            kind="application",
            context=lambda: {
                **invitation(),
                "body": f"{invitation()['body']}\n\n{settings.SITE_URL}{invitation_path(token)}",
            },
        )
    return member, token


def invitation_by_token(token: str) -> ApplicationMember | None:
    """The invitation a token opens (whatever its state), or None."""
    return (
        ApplicationMember.objects.select_related("application__applicant", "invited_by", "user")
        .filter(token_sha256=token_digest(token))
        .first()
    )


def _open_invitation(token: str) -> ApplicationMember:
    found = invitation_by_token(token)
    if found is None:
        raise DomainError(_("This invitation does not exist."))
    _locked(found.application)
    member = ApplicationMember.objects.select_for_update().get(pk=found.pk)
    member.application = found.application
    if member.state != MemberState.INVITED:
        raise DomainError(_("This invitation is no longer open."))
    if member.is_expired:
        raise DomainError(_("This invitation has expired: ask the applicant for a new one."))
    if member.application.state in perms.rules.TERMINAL:
        raise DomainError(_("This application has ended."))
    return member


@transaction.atomic
def application_member_accept(*, actor, token: str) -> ApplicationMember:
    """The invited person accepts: their account joins the team with the invited role.

    The invitation must be open and unexpired. If an account holds the invited address, only
    that account may accept; otherwise the signed-in account that holds the token joins."""
    member = _open_invitation(token)
    application = member.application
    if not (actor and actor.is_authenticated):
        raise PermissionDenied(_("Sign in to accept the invitation."))
    owner = _account_for(member.email)
    if owner is not None and owner.pk != actor.pk:
        raise PermissionDenied(
            _("This invitation is for the account with the address %(email)s: sign in as it.")
            % {"email": member.email}
        )
    if perms.is_team_member(actor, application):
        raise DomainError(_("You are already in this application's team."))
    member.user = actor
    member.state = MemberState.ACCEPTED
    member.accepted_at = timezone.now()
    member.save(update_fields=["user", "state", "accepted_at"])
    audit.record(
        actor=actor,
        action="application.member_accept",
        target=application,
        payload={"member": member.pk, "email": member.email, "role": member.role},
    )
    notify(
        recipients=[application.applicant],
        kind="application",
        context=lambda: {
            "subject": _("%(name)s joined the team of %(title)s")
            % {"name": actor.get_full_name() or actor.username, "title": application.title},
            "body": _("They joined as %(role)s.") % {"role": member.get_role_display().lower()},
        },
        url=_url(application),
    )
    _team_changed(application, actor)
    return member


@transaction.atomic
def application_member_accept_new_account(
    *, token: str, username: str, password: str, first_name: str = "", last_name: str = ""
):
    """Accept an invitation to an address that has no account: the account is created (a
    researcher, with the invited address) and joins the team. Returns (member, user)."""
    member = _open_invitation(token)
    User = get_user_model()
    if _account_for(member.email) is not None:
        raise DomainError(_("An account already uses this address: sign in to accept."))
    errors: dict[str, list[str]] = {}
    username = (username or "").strip()
    if not username:
        errors["username"] = [_("Choose a user name.")]
    elif User.objects.filter(username__iexact=username).exists():
        errors["username"] = [_("This user name is taken.")]
    user = User(username=username, email=member.email, first_name=first_name, last_name=last_name)
    try:
        validate_password(password or "", user)
    except ValidationError as exc:
        errors["password"] = list(exc.messages)
    if errors:
        raise DomainError(_("The account could not be created."), field_errors=errors)
    user.set_password(password)
    user.save()
    user.groups.add(Group.objects.get_or_create(name=Role.RESEARCHER)[0])
    audit.record(
        actor=user,
        action="account.create_by_invitation",
        target=user,
        payload={"application": member.application_id},
    )
    return application_member_accept(actor=user, token=token), user


def _member_locked(member) -> ApplicationMember:
    application = _locked(member.application)
    locked = ApplicationMember.objects.select_for_update().get(
        pk=member.pk, application=application
    )
    locked.application = application
    return locked


@transaction.atomic
def application_member_revoke(*, actor, member: ApplicationMember) -> ApplicationMember:
    """invited → revoked: the applicant withdraws an invitation; its link stops working."""
    member = _member_locked(member)
    _require(
        perms.can_manage_team(actor, member.application),
        _("Only the applicant may revoke an invitation."),
    )
    if member.state != MemberState.INVITED:
        raise DomainError(_("Only an open invitation can be revoked."))
    member.state = MemberState.REVOKED
    member.ended_at = timezone.now()
    member.save(update_fields=["state", "ended_at"])
    audit.record(
        actor=actor,
        action="application.member_revoke",
        target=member.application,
        from_state=MemberState.INVITED,
        to_state=MemberState.REVOKED,
        payload={"member": member.pk, "email": member.email},
    )
    return member


@transaction.atomic
def application_member_remove(*, actor, member: ApplicationMember) -> ApplicationMember:
    """accepted → removed: the applicant removes a co-applicant, or a co-applicant leaves.

    The person no longer sees the application; on an active project their grants end."""
    member = _member_locked(member)
    application = member.application
    leaving = perms.can_leave_team(actor, member)
    _require(
        leaving or perms.can_manage_team(actor, application),
        _("Only the applicant may remove a co-applicant."),
    )
    if member.state != MemberState.ACCEPTED:
        raise DomainError(_("Only a member of the team can be removed."))
    member.state = MemberState.REMOVED
    member.ended_at = timezone.now()
    member.save(update_fields=["state", "ended_at"])
    application.__dict__.pop("_team_roles", None)
    audit.record(
        actor=actor,
        action="application.member_leave" if leaving else "application.member_remove",
        target=application,
        from_state=MemberState.ACCEPTED,
        to_state=MemberState.REMOVED,
        payload={"member": member.pk, "email": member.email},
    )
    if not leaving:
        notify(
            recipients=[member.user],
            kind="application",
            context=lambda: {
                "subject": _("You were removed from the team of %(title)s")
                % {"title": application.title},
                "body": _("You no longer have access to this application."),
            },
        )
    _team_changed(application, actor)
    return member


@transaction.atomic
def application_member_set_role(*, actor, member: ApplicationMember, role: str):
    """The applicant changes a co-applicant's or an invitation's role (editor or viewer)."""
    member = _member_locked(member)
    _require(
        perms.can_manage_team(actor, member.application),
        _("Only the applicant may change a co-applicant's role."),
    )
    if role not in MemberRole.values:
        message = _("Choose editor or viewer.")
        raise DomainError(message, field_errors={"role": [message]})
    if member.state not in (MemberState.INVITED, MemberState.ACCEPTED):
        raise DomainError(_("This person is no longer in the team."))
    if member.role == role:
        return member
    previous, member.role = member.role, role
    member.save(update_fields=["role"])
    audit.record(
        actor=actor,
        action="application.member_role",
        target=member.application,
        payload={"member": member.pk, "email": member.email, "from": previous, "to": role},
    )
    return member
