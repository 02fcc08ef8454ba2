"""The second factor (issue 17): staff enrol before they use their role, sign in with a code
or a recovery code, the token endpoint asks for it too; everything audited. Sessions: idle
timeout for staff, sign-out everywhere."""

import binascii
import re

import pytest
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from solidarity.audit.models import AuditEvent
from tests import mfa

pytestmark = pytest.mark.django_db

ROLE_PAGES = [
    "/",
    "/harms/queue/",
    "/applications/queue/",
    "/audit/",
    "/benefits/",
    "/reviews/committee/",
]


@pytest.fixture(autouse=True)
def _no_retry_pause(settings):
    """django-otp pauses a device after a wrong code (1 s, doubling); these tests type the
    right code at once after a wrong one."""
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    settings.OTP_STATIC_THROTTLE_FACTOR = 0


def _sign_in(client, user, password):
    return client.post(reverse("login"), {"username": user.username, "password": password})


def _code(device):
    return f"{totp(binascii.unhexlify(device.key), step=30, digits=6):06d}"


def _actions(user):
    return list(
        AuditEvent.objects.filter(action__startswith="mfa.", actor=user)
        .order_by("id")
        .values_list("action", flat=True)
    )


@pytest.mark.parametrize(
    "who", ["harm_officer", "chair", "secretariat", "auditor", "benefit_officer", "custodian"]
)
def test_staff_without_a_second_factor_reach_no_page_of_their_role(
    client, api_client, request, password, who
):
    user = request.getfixturevalue(who)
    assert _sign_in(client, user, password).status_code == 302
    for path in ROLE_PAGES:
        response = client.get(path)
        assert response.status_code == 302, path
        assert response["Location"].startswith(reverse("mfa-setup")), path
    api = client.get("/api/v1/applications/")
    assert api.status_code == 403
    assert api.json()["error"]["code"] == "second_factor_required"


def test_enrol_sign_out_sign_in_with_code_and_recovery_code(client, harm_officer, password):
    _sign_in(client, harm_officer, password)
    page = client.get(reverse("mfa-setup"))
    assert page.status_code == 200 and "<svg" in page.content.decode()
    device = TOTPDevice.objects.get(user=harm_officer, confirmed=False)
    wrong = client.post(reverse("mfa-setup"), {"device": device.pk, "token": "000000"})
    assert wrong.status_code == 400 and client.get("/harms/queue/").status_code == 302
    done = client.post(
        reverse("mfa-setup"), {"device": device.pk, "token": _code(device), "next": "/harms/queue/"}
    )
    assert done.status_code == 200
    codes = re.findall(r"<li><code>([^<]+)</code></li>", done.content.decode())
    assert len(codes) == 10
    assert client.get("/harms/queue/").status_code == 200

    client.post(reverse("logout"))
    _sign_in(client, harm_officer, password)
    assert client.get("/harms/queue/")["Location"].startswith(reverse("mfa-verify"))
    assert client.post(reverse("mfa-verify"), {"token": "123456"}).status_code == 400
    # A code is good once: stand for the 30 seconds until the app shows the next one.
    TOTPDevice.objects.filter(pk=device.pk).update(last_t=-1)
    device.refresh_from_db()
    verified = client.post(reverse("mfa-verify"), {"token": _code(device), "next": "/harms/queue/"})
    assert verified.status_code == 302 and verified["Location"] == "/harms/queue/"
    assert client.get("/harms/queue/").status_code == 200

    # A lost phone: a recovery code signs in once.
    client.post(reverse("logout"))
    _sign_in(client, harm_officer, password)
    assert client.post(reverse("mfa-verify"), {"token": codes[0]}).status_code == 302
    client.post(reverse("logout"))
    _sign_in(client, harm_officer, password)
    assert client.post(reverse("mfa-verify"), {"token": codes[0]}).status_code == 400

    assert _actions(harm_officer) == [
        "mfa.fail",
        "mfa.enrol",
        "mfa.fail",
        "mfa.verify",
        "mfa.recover",
        "mfa.fail",
    ]
    sign_ins = AuditEvent.objects.filter(action="auth.sign_in", actor=harm_officer).count()
    assert sign_ins == 4


def test_an_open_redirect_is_not_followed_after_the_code(client, chair, password):
    device = mfa.enrol(chair)
    _sign_in(client, chair, password)
    response = client.post(
        reverse("mfa-verify"), {"token": _code(device), "next": "https://evil.example/"}
    )
    assert response["Location"] == "/"


def test_researchers_may_opt_in_and_are_then_asked(client, researcher, password):
    _sign_in(client, researcher, password)
    assert client.get("/").status_code == 200  # not forced
    client.get(reverse("mfa-setup"))
    device = TOTPDevice.objects.get(user=researcher)
    client.post(reverse("mfa-setup"), {"device": device.pk, "token": _code(device)})
    client.post(reverse("logout"))
    _sign_in(client, researcher, password)
    assert client.get("/")["Location"].startswith(reverse("mfa-verify"))


def test_failed_sign_ins_are_audited(client, researcher):
    client.post(reverse("login"), {"username": researcher.username, "password": "wrong"})
    event = AuditEvent.objects.get(action="auth.sign_in_failed")
    assert event.payload == {"username": researcher.username}


def test_token_endpoint_requires_the_code_for_staff(api_client, chair, researcher, password):
    url = "/api/v1/auth/token/"
    missing = api_client.post(url, {"username": chair.username, "password": password})
    assert missing.status_code == 400 and "otp" in missing.json()["error"]["fields"]
    device = mfa.enrol(chair)
    wrong = api_client.post(url, {"username": chair.username, "password": password, "otp": "1"})
    assert wrong.status_code == 400
    right = api_client.post(
        url, {"username": chair.username, "password": password, "otp": _code(device)}
    )
    assert right.status_code == 200, right.json()
    assert _actions(chair) == ["mfa.fail", "mfa.verify"]
    # researchers without a second factor sign in with the password alone
    plain = api_client.post(url, {"username": researcher.username, "password": password})
    assert plain.status_code == 200


def test_staff_sessions_end_after_the_idle_time(client, secretariat, settings):
    settings.STAFF_IDLE_TIMEOUT_SECONDS = 60
    client.force_login(secretariat)
    assert client.get("/applications/queue/").status_code == 200
    session = client.session
    session["last_seen"] -= 61
    session.save()
    response = client.get("/applications/queue/")
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    assert client.get("/notifications/").status_code == 302


def test_researchers_are_not_timed_out(client, researcher, settings):
    settings.STAFF_IDLE_TIMEOUT_SECONDS = 60
    client.force_login(researcher)
    session = client.session
    session["last_seen"] = 0
    session.save()
    assert client.get("/").status_code == 200


def test_sign_out_everywhere_ends_every_session_and_the_token(
    client, api_client, researcher, password
):
    from django.test import Client

    other = Client()
    other.force_login(researcher)
    token = api_client.post(
        "/api/v1/auth/token/", {"username": researcher.username, "password": password}
    ).json()["token"]
    client.force_login(researcher)
    assert client.post(reverse("sign-out-everywhere")).status_code == 302
    assert other.get("/notifications/").status_code == 302
    assert client.get("/notifications/").status_code == 302
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert api_client.get("/api/v1/applications/").status_code in (401, 403)
    assert AuditEvent.objects.filter(action="auth.sign_out_everywhere").count() == 1


def test_common_passwords_are_refused(client, researcher, password):
    client.force_login(researcher)
    response = client.post(
        reverse("password_change"),
        {"old_password": password, "new_password1": "password123", "new_password2": "password123"},
    )
    assert response.status_code == 200
    assert "too common" in response.content.decode()


def test_the_admin_site_needs_the_second_factor_too(client, password):
    from tests.factories import UserFactory

    admin = UserFactory(username="root", is_staff=True, is_superuser=True)
    _sign_in(client, admin, password)
    assert client.get("/admin/")["Location"].startswith(reverse("mfa-setup"))


def test_a_password_alone_cannot_replace_the_second_factor(client, chair, password):
    """Signed in with the password only, one cannot enrol another authenticator or get new
    recovery codes: that would let a stolen password through."""
    mfa.enrol(chair)
    _sign_in(client, chair, password)
    response = client.get(reverse("mfa-setup"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("mfa-verify"))
    assert client.post(reverse("mfa-setup"), {"device": 1, "token": "1"}).status_code == 302
    assert client.post(reverse("mfa-recovery-codes")).status_code == 302
    assert TOTPDevice.objects.filter(user=chair).count() == 1
    assert not chair.staticdevice_set.exists()
    assert client.get("/applications/queue/").status_code == 302


def test_after_the_code_the_authenticator_may_be_replaced(client, chair, password):
    device = mfa.enrol(chair)
    _sign_in(client, chair, password)
    client.post(reverse("mfa-verify"), {"token": _code(device)})
    assert client.get(reverse("mfa-setup")).status_code == 200
    assert client.post(reverse("mfa-recovery-codes")).status_code == 200


def test_a_password_alone_cannot_register_a_passkey(client, chair, password):
    mfa.enrol(chair)
    _sign_in(client, chair, password)
    response = client.post(
        "/accounts/mfa/webauthn/registration/begin/", content_type="application/json"
    )
    assert response.status_code == 403
    assert response.json()["code"] == "user_not_verified"


def test_a_passkey_is_never_the_only_factor(client):
    response = client.post(
        "/accounts/mfa/webauthn/authentication/begin/", content_type="application/json"
    )
    assert response.status_code >= 400


def test_a_staff_role_given_after_sign_in_asks_for_the_second_factor_at_once(
    client, researcher, password
):
    """The second factor is owed from the request after a staff role is given, not from the
    next sign-in: a researcher's open session made chair reaches no chair page without it."""
    from django.contrib.auth.models import Group

    from solidarity.accounts.roles import Role

    assert _sign_in(client, researcher, password).status_code == 302
    assert client.get("/applications/").status_code == 200
    researcher.groups.add(Group.objects.get_or_create(name=Role.CHAIR)[0])
    response = client.get("/reviews/committee/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("mfa-setup"))
    api = client.get("/api/v1/applications/")
    assert api.status_code == 403
    assert api.json()["error"]["code"] == "second_factor_required"
