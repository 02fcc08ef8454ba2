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


def test_the_demo_shows_a_team_and_a_conversation(db):
    """The demo's submitted application has a co-applicant who accepted and a conversation
    between the committee's secretariat and the team; seeding twice adds nothing."""
    from applications.conversation import Message
    from applications.team import ApplicationMember

    call_command("seed_demo")
    call_command("seed_demo")
    member = ApplicationMember.objects.get()
    assert (member.state, member.role) == ("accepted", "editor")
    assert member.user.username == "researcher2"
    authors = list(Message.objects.order_by("id").values_list("author__username", flat=True))
    assert authors == ["researcher", "secretariat", "researcher2"]
