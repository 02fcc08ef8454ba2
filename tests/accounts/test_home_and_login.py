import pytest
from django.urls import reverse

from solidarity.accounts.roles import Role

ROLE_FIXTURES = [
    ("researcher", "Researcher", "File data-access applications"),
    ("custodian", "Data custodian", "Your organisation"),
    ("secretariat", "Secretariat", "Screen submissions"),
    ("reviewer", "Reviewer", "Declare conflicts"),
    ("chair", "Committee chair", "record the committee"),
    ("harm_officer", "Harm officer", "Triage harm reports"),
    ("benefit_officer", "Benefit officer", "solidarity fund"),
    ("auditor", "Auditor", "Verify the audit chain"),
]


@pytest.mark.parametrize(("fixture", "label", "duty"), ROLE_FIXTURES)
def test_each_role_sees_its_own_home_page(client, request, fixture, label, duty):
    user = request.getfixturevalue(fixture)
    client.force_login(user)
    response = client.get(reverse("home"))
    assert response.status_code == 200
    body = response.content.decode()
    assert f'data-role="{user.roles.pop()}"' in body
    assert label in body
    assert duty in body


def test_home_shows_no_other_roles_duties(client, researcher):
    client.force_login(researcher)
    body = client.get(reverse("home")).content.decode()
    assert "Triage harm reports" not in body
    assert "Verify the audit chain" not in body


def test_anonymous_visitor_sees_the_public_landing_page(client, db):
    response = client.get(reverse("home"))
    assert response.status_code == 200
    assert f'href="{reverse("login")}"' in response.content.decode()
    assert "Waiting for you" not in response.content.decode()


def test_sign_in_with_password_lands_on_home(client, researcher, password):
    response = client.post(reverse("login"), {"username": "alice", "password": password})
    assert response.status_code == 302
    assert response.url == reverse("home")


def test_repeated_failures_lock_the_account_for_this_client(client, researcher, password, settings):
    settings.LOGIN_FAILURE_LIMIT = 3
    for _ in range(2):
        response = client.post(reverse("login"), {"username": "alice", "password": "wrong"})
        assert response.status_code == 200
    # the failure that reaches the limit is answered with the lockout already
    response = client.post(reverse("login"), {"username": "alice", "password": "wrong"})
    assert response.status_code == 429
    response = client.post(reverse("login"), {"username": "alice", "password": password})
    assert response.status_code == 429
    assert "Too many failed sign-in attempts" in response.content.decode()


def test_sign_out_requires_post_and_ends_the_session(client, researcher):
    client.force_login(researcher)
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert "Sign out" not in client.get(reverse("home")).content.decode()


def test_password_reset_sends_a_link(client, researcher, mailoutbox):
    response = client.post(reverse("password_reset"), {"email": researcher.email})
    assert response.status_code == 302
    assert len(mailoutbox) == 1
    assert "/accounts/password/reset/" in mailoutbox[0].body


def test_role_groups_exist_after_migrations(db):
    from django.contrib.auth.models import Group

    assert set(Group.objects.values_list("name", flat=True)) >= set(Role.values)


def test_language_switcher_serves_french_and_german(client, researcher):
    client.force_login(researcher)
    client.post(reverse("set_language"), {"language": "fr", "next": "/"})
    body = client.get(reverse("home")).content.decode()
    assert '<html lang="fr">' in body
    assert "Bienvenue" in body
    client.post(reverse("set_language"), {"language": "de", "next": "/"})
    assert "Willkommen" in client.get(reverse("home")).content.decode()
