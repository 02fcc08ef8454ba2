"""A signed-in page reads the session, the account, its roles and the unread badge from the
shared cache, and every change to any of them shows on the very next request."""

import pytest
from django.conf import settings
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from solidarity.accounts.roles import Role
from solidarity.notifications.models import Notification
from solidarity.notifications.services import notify

SECURITY = "/accounts/security/"
QUEUE = "/applications/queue/"


def _warm(client, path=SECURITY):
    """As on a busy site: the answers of an earlier change have settled in the cache."""
    cache.clear()
    client.get(path)
    client.get(path)


def _queries(client, path):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(path)
    return response, [q["sql"] for q in ctx.captured_queries]


def test_a_signed_in_page_reads_no_session_account_roles_or_badge_query(client, secretariat):
    client.force_login(secretariat)
    _warm(client)
    response, queries = _queries(client, SECURITY)
    assert response.status_code == 200
    assert str(secretariat) in response.content.decode()
    # Only the page's own question (whether an authenticator is set up) is left.
    assert len(queries) == 1, queries
    assert "otp_totp_totpdevice" in queries[0]


def test_sessions_survive_a_cache_flush(client, secretariat):
    client.force_login(secretariat)
    assert client.get(SECURITY).status_code == 200
    cache.clear()
    response = client.get(SECURITY)
    assert response.status_code == 200
    assert str(secretariat) in response.content.decode()


def test_a_role_taken_away_shows_at_once_when_the_account_was_cached(client, secretariat):
    client.force_login(secretariat)
    _warm(client, QUEUE)
    assert f'href="{QUEUE}"' in client.get(SECURITY).content.decode()
    secretariat.groups.remove(Group.objects.get(name=Role.SECRETARIAT))
    assert client.get(QUEUE).status_code in (302, 403)
    assert f'href="{QUEUE}"' not in client.get(SECURITY).content.decode()


def test_a_role_given_from_the_group_side_shows_at_once(client, researcher):
    client.force_login(researcher)
    _warm(client, "/reviews/")
    assert client.get("/reviews/").status_code == 403
    group, _created = Group.objects.get_or_create(name=Role.REVIEWER)
    group.user_set.add(researcher)
    assert client.get("/reviews/").status_code == 200


def test_clearing_a_groups_members_shows_at_once(client, secretariat):
    client.force_login(secretariat)
    _warm(client, QUEUE)
    Group.objects.get(name=Role.SECRETARIAT).user_set.clear()
    assert client.get(QUEUE).status_code in (302, 403)


def test_a_renamed_group_is_no_longer_a_role(client, secretariat):
    client.force_login(secretariat)
    _warm(client, QUEUE)
    group = Group.objects.get(name=Role.SECRETARIAT)
    group.name = "former secretariat"
    group.save()
    assert client.get(QUEUE).status_code in (302, 403)


def test_a_staff_role_given_later_asks_for_the_second_factor_at_once(client, researcher):
    client.force_login(researcher)
    _warm(client)
    researcher.groups.add(Group.objects.get_or_create(name=Role.HARM_OFFICER)[0])
    response = client.get(SECURITY)
    assert response.status_code == 302
    assert "/accounts/mfa/" in response["Location"]


@pytest.mark.parametrize("change", ["password", "deactivate", "everywhere", "delete"])
def test_account_changes_end_a_cached_session_at_once(client, secretariat, change):
    client.force_login(secretariat)
    _warm(client)
    if change == "password":
        secretariat.set_password("an entirely new passphrase")
        secretariat.save()
    elif change == "deactivate":
        secretariat.is_active = False
        secretariat.save()
    elif change == "everywhere":
        secretariat.sign_out_everywhere()
    else:
        secretariat.delete()
    response = client.get(SECURITY)
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_a_language_chosen_shows_on_the_next_page(client, secretariat):
    client.force_login(secretariat)
    _warm(client)
    assert client.post("/accounts/language/", {"language": "fr"}).status_code == 302
    client.cookies.pop(settings.LANGUAGE_COOKIE_NAME, None)  # the account's choice alone
    assert '<html lang="fr">' in client.get(SECURITY).content.decode()


def test_the_badge_follows_new_and_read_notifications(client, researcher):
    client.force_login(researcher)
    _warm(client)
    assert "unread" not in client.get(SECURITY).content.decode()
    notify(recipients=[researcher], kind="generic", context={"subject": "s", "body": "b"})
    assert "1 unread" in client.get(SECURITY).content.decode()
    notify(recipients=[researcher], kind="generic", context={"subject": "t", "body": "b"})
    assert "2 unread" in client.get(SECURITY).content.decode()
    first = Notification.objects.filter(recipient=researcher).order_by("pk").first()
    client.post("/notifications/read/", {"id": [first.pk]})
    assert "1 unread" in client.get(SECURITY).content.decode()
    client.post("/notifications/read/")
    assert "unread" not in client.get(SECURITY).content.decode()
    notify(recipients=[researcher], kind="generic", context={"subject": "u", "body": "b"})
    Notification.objects.filter(recipient=researcher, read_at__isnull=True).get().delete()
    assert "unread" not in client.get(SECURITY).content.decode()


def test_nobody_sees_anothers_cached_badge_account_or_menu(client, researcher, secretariat):
    from django.test import Client

    researcher.display_name, secretariat.display_name = "Alice Applicant", "Sami Secretary"
    researcher.save()
    secretariat.save()
    notify(recipients=[researcher], kind="generic", context={"subject": "s", "body": "b"})
    other = Client()
    client.force_login(researcher)
    other.force_login(secretariat)
    cache.clear()
    for _ in range(2):
        mine = client.get(SECURITY).content.decode()
        theirs = other.get(SECURITY).content.decode()
        assert "1 unread" in mine and "unread" not in theirs
        assert str(researcher) in mine and str(researcher) not in theirs
        assert str(secretariat) in theirs and str(secretariat) not in mine
        assert f'href="{QUEUE}"' in theirs and f'href="{QUEUE}"' not in mine
        assert 'href="/applications/"' in mine and 'href="/applications/"' not in theirs
