"""The second factor (django-otp): TOTP authenticator apps and one-time recovery codes.

Staff roles that see personal data or move money (``settings.MFA_REQUIRED_ROLES``) must
enrol before they use their role; anyone else may opt in, and once enrolled is asked too.
Whether a session still owes a second factor is decided at sign-in and kept in the session,
so pages pay no extra query for it. Every enrolment, verification, failure and use of a
recovery code is audited.
"""

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _
from django_otp import DEVICE_ID_SESSION_KEY, devices_for_user, user_has_device
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from solidarity.audit import services as audit
from solidarity.errors import DomainError

from .roles import has_role

SESSION_REQUIRED = "mfa_required"
SESSION_STAFF = "mfa_staff"
SESSION_LAST_SEEN = "last_seen"
RECOVERY_CODE_COUNT = 10
TOTP_NAME = "Authenticator app"
RECOVERY_NAME = "Recovery codes"


def mfa_required(user) -> bool:
    """True when this user's roles (or access to the admin site) demand a second factor."""
    if getattr(user, "is_staff", False) or getattr(user, "is_superuser", False):
        return True
    return has_role(user, *settings.MFA_REQUIRED_ROLES)


def has_second_factor(user) -> bool:
    return user_has_device(user, confirmed=True)


def session_owes_second_factor(request) -> bool:
    """Whether this signed-in session must still pass a second factor."""
    session = request.session
    if session.get(DEVICE_ID_SESSION_KEY):
        return False
    user = request.user
    if not session.get(SESSION_REQUIRED) and mfa_required(user):
        # A staff role given after sign-in demands the factor at once, not at the next
        # sign-in (the roles are read once per request anyway).
        session[SESSION_REQUIRED] = True
        session[SESSION_STAFF] = True
    if SESSION_REQUIRED not in session:
        session[SESSION_REQUIRED] = has_second_factor(user)
    return bool(session[SESSION_REQUIRED])


def may_change_second_factor(request) -> bool:
    """Enrolling or replacing a factor, or new recovery codes: only for a session that has
    passed the second factor, or for an account that has none yet. Otherwise a stolen
    password would be enough to enrol the thief's own authenticator."""
    return bool(request.session.get(DEVICE_ID_SESSION_KEY)) or not has_second_factor(request.user)


def note_sign_in(request, user) -> None:
    """At sign-in: decide once whether this session owes a second factor and is staff's."""
    import time

    staff = mfa_required(user)
    request.session[SESSION_STAFF] = staff
    request.session[SESSION_REQUIRED] = staff or has_second_factor(user)
    request.session[SESSION_LAST_SEEN] = int(time.time())


def session_is_staff(request) -> bool:
    if SESSION_STAFF not in request.session:
        request.session[SESSION_STAFF] = mfa_required(request.user)
    return bool(request.session[SESSION_STAFF])


def totp_enrolment_start(*, actor) -> TOTPDevice:
    """A new, unconfirmed authenticator for ``actor`` (earlier unconfirmed ones are dropped)."""
    with transaction.atomic():
        TOTPDevice.objects.filter(user=actor, confirmed=False).delete()
        return TOTPDevice.objects.create(user=actor, name=TOTP_NAME, confirmed=False)


def _new_recovery_codes(user) -> list[str]:
    device, _created = StaticDevice.objects.get_or_create(
        user=user, name=RECOVERY_NAME, defaults={"confirmed": True}
    )
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


def totp_enrolment_confirm(*, actor, request, device_id: int, token: str) -> list[str]:
    """Confirm the authenticator with a first code; returns fresh recovery codes (shown once).

    The session counts as verified from here on. Raises DomainError on a wrong code.
    """
    with transaction.atomic():
        device = (
            TOTPDevice.objects.select_for_update()
            .filter(pk=device_id, user=actor, confirmed=False)
            .first()
        )
        if device is None:
            raise DomainError(_("Start the set-up again: this authenticator is not pending."))
        confirmed = device.verify_token((token or "").strip())
        if confirmed:
            TOTPDevice.objects.filter(user=actor, confirmed=True).delete()
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            codes = _new_recovery_codes(actor)
            audit.record(actor=actor, action="mfa.enrol", target=actor, payload={"factor": "totp"})
        else:
            audit.record(actor=actor, action="mfa.fail", target=actor, payload={"step": "enrol"})
    if not confirmed:
        raise DomainError(
            _("That code is not right. Check the time on your phone and try again."),
            field_errors={"token": [_("Wrong code.")]},
        )
    otp_login(request, device)
    request.session[SESSION_REQUIRED] = True
    return codes


def mfa_verify(*, actor, request, token: str):
    """Check a code from the authenticator or a recovery code; mark the session verified.

    Returns the device that matched, or None (audited as a failure).
    """
    token = "".join((token or "").split())
    with transaction.atomic():
        matched = None
        for device in devices_for_user(actor, confirmed=True, for_verify=True):
            if device.verify_token(token):
                matched = device
                break
        if matched is None:
            audit.record(actor=actor, action="mfa.fail", target=actor, payload={"step": "sign_in"})
            return None
        recovery = isinstance(matched, StaticDevice)
        audit.record(
            actor=actor,
            action="mfa.recover" if recovery else "mfa.verify",
            target=actor,
            payload={"left": matched.token_set.count()} if recovery else {},
        )
    otp_login(request, matched)
    return matched


def token_matches(user, token: str) -> bool:
    """For the API token endpoint: a code from any of the user's devices, audited."""
    token = "".join((token or "").split())
    for device in devices_for_user(user, confirmed=True, for_verify=True):
        if device.verify_token(token):
            action = "mfa.recover" if isinstance(device, StaticDevice) else "mfa.verify"
            audit.record(actor=user, action=action, target=user, payload={"via": "api_token"})
            return True
    audit.record(actor=user, action="mfa.fail", target=user, payload={"via": "api_token"})
    return False


def recovery_codes_regenerate(*, actor) -> list[str]:
    with transaction.atomic():
        codes = _new_recovery_codes(actor)
        audit.record(actor=actor, action="mfa.recovery_codes", target=actor)
    return codes
