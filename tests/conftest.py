"""Users for each role, an outsider, and the settings every test shares."""

import pytest

from solidarity.accounts.roles import Role
from solidarity.celery import app as celery_app

from .factories import PASSWORD, OrganisationFactory, UserFactory


@pytest.fixture(autouse=True)
def _eager_celery_and_clean_cache(settings, tmp_path, monkeypatch):
    """Tasks run in-process by default; a test that wants the real broker turns this off."""
    from django.core.cache import cache
    from django.utils import translation

    translation.activate("en")

    celery_app.conf.task_always_eager = True
    celery_app.conf.task_eager_propagates = True
    # A fast hasher: the suite creates hundreds of users; production keeps PBKDF2.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.MEDIA_ROOT = tmp_path / "media"
    cache.clear()
    # After a change, cached per-person answers are read from the database while a marker
    # stands (solidarity/held_cache.py, 30 s); held for the whole test so that the queries a
    # test counts do not depend on how fast the machine runs it.
    monkeypatch.setattr("solidarity.held_cache.CHANGED_SECONDS", 3600)
    # Likewise a staff session's last request, rewritten once a minute: a slow test would
    # otherwise count that write in one request and not in another.
    monkeypatch.setattr("solidarity.accounts.middleware.LAST_SEEN_WRITE_SECONDS", 3600)
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _force_login_passes_the_second_factor(monkeypatch):
    """``client.force_login`` stands for a completed sign-in, second factor included, for
    users whose roles require one (see tests/mfa.py). Tests of the second factor itself
    sign in through the forms, or use ``force_login_without_second_factor``."""
    from django.test.client import Client

    from solidarity.accounts.mfa import mfa_required

    from . import mfa

    original = Client.force_login

    def force_login(self, user, backend=None):
        original(self, user, backend)
        if mfa_required(user):
            mfa.mark_verified(self, user)

    monkeypatch.setattr(Client, "force_login", force_login)
    monkeypatch.setattr(Client, "force_login_without_second_factor", original, raising=False)


@pytest.fixture
def password():
    return PASSWORD


@pytest.fixture
def organisation(db):
    return OrganisationFactory(name="Vienna General Hospital")


@pytest.fixture
def other_organisation(db):
    return OrganisationFactory(name="Lyon Registry", country="FR")


def _user(username, *roles):
    return UserFactory(username=username, roles=list(roles))


@pytest.fixture
def researcher(db):
    return _user("alice", Role.RESEARCHER)


@pytest.fixture
def other_researcher(db):
    return _user("bob", Role.RESEARCHER)


@pytest.fixture
def custodian(db, organisation):
    return UserFactory.member_of(organisation, username="carla", roles=[Role.CUSTODIAN])


@pytest.fixture
def other_custodian(db, other_organisation):
    return UserFactory.member_of(other_organisation, username="claude", roles=[Role.CUSTODIAN])


@pytest.fixture
def secretariat(db):
    return _user("sami", Role.SECRETARIAT)


@pytest.fixture
def reviewer(db):
    return _user("rita", Role.REVIEWER)


@pytest.fixture
def other_reviewer(db):
    return _user("ravi", Role.REVIEWER)


@pytest.fixture
def chair(db):
    return _user("chiara", Role.CHAIR)


@pytest.fixture
def harm_officer(db):
    return _user("hana", Role.HARM_OFFICER)


@pytest.fixture
def benefit_officer(db):
    return _user("ben", Role.BENEFIT_OFFICER)


@pytest.fixture
def auditor(db):
    return _user("aude", Role.AUDITOR)


@pytest.fixture
def outsider(db):
    """A signed-in user with no role at all: charlie, who must be refused."""
    return _user("charlie")


@pytest.fixture
def api_client():
    from rest_framework.test import APIClient

    return APIClient()


# Hypothesis: `make test-deep` sets HYPOTHESIS_PROFILE=deep (many more examples, longer runs);
# the stateful test of the whole life (tests/rulebook/test_stateful_life.py) reads it too.
def _hypothesis_profiles():
    import os

    from hypothesis import HealthCheck, settings

    settings.register_profile(
        "deep",
        max_examples=200,
        stateful_step_count=50,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    if os.environ.get("HYPOTHESIS_PROFILE"):
        settings.load_profile(os.environ["HYPOTHESIS_PROFILE"])


_hypothesis_profiles()
