"""The second factor in a browser: a harm officer enrols an authenticator, signs out, signs in
with a code, then with a recovery code; without it, no page of the role opens."""

import base64

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from solidarity.accounts.roles import Role
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


def _code(secret: str) -> str:
    key = base64.b32decode(secret.replace(" ", "") + "=" * (-len(secret.replace(" ", "")) % 8))
    return f"{totp(key, step=30, digits=6):06d}"


def _password_step(page, username):
    page.context.clear_cookies()
    page.goto("/accounts/login/?next=/harms/queue/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()


def test_enrol_sign_out_sign_in_with_code_and_recovery_code(page):
    officer = UserFactory(username="e2e_hana", roles=[Role.HARM_OFFICER])
    _password_step(page, "e2e_hana")
    # No second factor yet: the role's pages lead to the set-up.
    assert "/accounts/mfa/setup/" in page.url
    page.goto("/harms/queue/")
    assert "/accounts/mfa/setup/" in page.url
    secret = page.get_by_test_id("totp-secret").inner_text()
    page.get_by_label("Code").fill(_code(secret))
    page.get_by_role("button", name="Confirm").click()
    codes = page.get_by_test_id("recovery-codes").locator("code").all_inner_texts()
    assert len(codes) == 10
    page.get_by_role("link", name="I have kept them, continue").click()
    page.wait_for_url("**/harms/queue/")
    assert page.get_by_role("heading", level=1).is_visible()

    page.get_by_role("button", name="Sign out").first.click()
    page.wait_for_url("**/accounts/login/")
    # The next code: stand for the 30 seconds until the app shows a new one.
    TOTPDevice.objects.filter(user=officer).update(last_t=-1)
    _password_step(page, "e2e_hana")
    assert "/accounts/mfa/verify/" in page.url
    page.get_by_label("Code").fill("000000")
    page.get_by_role("button", name="Continue").click()
    assert page.get_by_role("alert").is_visible()
    page.wait_for_timeout(1100)  # django-otp pauses a device for a second after a wrong code
    page.get_by_label("Code").fill(_code(secret))
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url("**/harms/queue/")

    page.get_by_role("button", name="Sign out").first.click()
    page.wait_for_url("**/accounts/login/")
    _password_step(page, "e2e_hana")
    page.get_by_label("Code").fill(codes[0])
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url("**/harms/queue/")
