"""Role decisions are never cached across requests: a role taken away or given takes effect on
the very next request of a session that is already signed in (pages and API)."""

from django.contrib.auth.models import Group

from solidarity.accounts.roles import Role

QUEUE = "/applications/queue/"
REVIEWS = "/reviews/"


def test_a_removed_role_takes_effect_on_the_next_request(client, secretariat):
    client.force_login(secretariat)
    assert client.get(QUEUE).status_code == 200
    secretariat.groups.remove(Group.objects.get(name=Role.SECRETARIAT))
    assert client.get(QUEUE).status_code in (302, 403)


def test_a_given_role_takes_effect_on_the_next_request(client, researcher):
    # Reviewer needs no second factor: the session signed in as a researcher may use it at once.
    client.force_login(researcher)
    assert client.get(REVIEWS).status_code == 403
    group, _created = Group.objects.get_or_create(name=Role.REVIEWER)
    group.user_set.add(researcher)
    assert client.get(REVIEWS).status_code == 200


def test_the_menu_follows_the_roles_at_once(client, secretariat):
    client.force_login(secretariat)
    assert f'href="{QUEUE}"' in client.get("/").content.decode()
    secretariat.groups.clear()
    assert f'href="{QUEUE}"' not in client.get("/").content.decode()
