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
