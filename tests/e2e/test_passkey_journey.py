"""A passkey as the second factor, in a browser with a virtual authenticator: a chair adds
one on the security page, signs out, and signs in with the password and the passkey."""

import pytest

from solidarity.accounts.roles import Role
from solidarity.audit.models import AuditEvent
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_register_a_passkey_and_sign_in_with_it(page, login, live_server, settings):
    settings.OTP_WEBAUTHN_ALLOWED_ORIGINS = [live_server.url]
    chair = UserFactory(username="e2e_chiara", roles=[Role.CHAIR])
    login("e2e_chiara")  # password and the test authenticator's code
    cdp = page.context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    cdp.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "internal",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
                "automaticPresenceSimulation": True,
            }
        },
    )
    page.goto("/accounts/security/")
    page.get_by_role("button", name="Add a passkey or security key").click()
    for _ in range(40):  # the page's script registers the key in the background
        if chair.webauthncredential_set.exists():
            break
        page.wait_for_timeout(250)
    assert chair.webauthncredential_set.count() == 1, page.content()

    page.get_by_role("button", name="Sign out").first.click()
    page.wait_for_url("**/accounts/login/")
    page.goto("/accounts/login/?next=/reviews/committee/")
    page.get_by_label("Username").fill("e2e_chiara")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/accounts/mfa/verify/**")
    page.get_by_role("button", name="Use a passkey or security key").click()
    page.wait_for_url("**/reviews/committee/")
    actions = list(
        AuditEvent.objects.filter(actor=chair, payload__factor="webauthn").values_list(
            "action", flat=True
        )
    )
    assert actions == ["mfa.enrol", "mfa.verify"]
