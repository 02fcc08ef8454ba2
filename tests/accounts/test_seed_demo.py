from django.core.management import call_command
from django.http import HttpRequest

from solidarity.accounts.demo import DEMO_PASSWORD, DEMO_USERS
from solidarity.accounts.models import User
from solidarity.audit.services import audit_verify
from solidarity.catalog.models import Dataset, Organisation


def test_seed_demo_is_idempotent_and_every_account_signs_in(client, db):
    call_command("seed_demo")
    counts = (User.objects.count(), Organisation.objects.count(), Dataset.objects.count())
    call_command("seed_demo")
    assert (User.objects.count(), Organisation.objects.count(), Dataset.objects.count()) == counts
    for spec in DEMO_USERS:
        # django-axes needs the request that signs in
        signed_in = client.login(
            request=HttpRequest(), username=spec["username"], password=DEMO_PASSWORD
        )
        assert signed_in, spec["username"]
        client.logout()
    assert audit_verify().ok


def test_demo_staff_sign_in_with_the_printed_authenticator_key(client, db, settings):
    import base64

    from django_otp.oath import totp

    from solidarity.accounts.demo import DEMO_TOTP_SECRET

    call_command("seed_demo")
    client.post("/accounts/login/", {"username": "chair", "password": DEMO_PASSWORD})
    assert client.get("/reviews/committee/")["Location"].startswith("/accounts/mfa/verify/")
    code = f"{totp(base64.b32decode(DEMO_TOTP_SECRET), step=30, digits=6):06d}"
    assert client.post("/accounts/mfa/verify/", {"token": code}).status_code == 302
    assert client.get("/reviews/committee/").status_code == 200
    # researchers are not asked
    client.post("/accounts/logout/")
    client.post("/accounts/login/", {"username": "researcher", "password": DEMO_PASSWORD})
    assert client.get("/").status_code == 200
