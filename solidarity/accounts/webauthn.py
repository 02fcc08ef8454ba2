"""Passkeys / security keys (WebAuthn) as a second factor, through django-otp-webauthn.

Its views are used as they are, with the audit trail added: a registered key is an
enrolment, a key used at sign-in a verification. Passwordless sign-in is off: a passkey is a
second factor here, after the password.
"""

from urllib.parse import urlsplit

from django.conf import settings
from django_otp_webauthn import views as webauthn_views

from solidarity.audit import services as audit


def relying_party_id(request) -> str:
    """The site's host name (Django's ALLOWED_HOSTS already vetted it)."""
    return request.get_host().rsplit(":", 1)[0] if request else urlsplit(settings.SITE_URL).hostname


class CompleteRegistration(webauthn_views.CompleteCredentialRegistrationView):
    def post(self, *args, **kwargs):
        response = super().post(*args, **kwargs)
        if response.status_code == 200:
            user = self.request.user
            audit.record(
                actor=user, action="mfa.enrol", target=user, payload={"factor": "webauthn"}
            )
        return response


class CompleteAuthentication(webauthn_views.CompleteCredentialAuthenticationView):
    def post(self, *args, **kwargs):
        response = super().post(*args, **kwargs)
        user = self.request.user
        if getattr(user, "is_authenticated", False):
            action = "mfa.verify" if response.status_code == 200 else "mfa.fail"
            audit.record(actor=user, action=action, target=user, payload={"factor": "webauthn"})
        return response
