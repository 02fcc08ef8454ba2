"""The HTML, the API and the services give the rulebook's answer to "may this actor do this
now?" for every move of the application rulebook, in every state, for every role."""

import re

import pytest
from django.db import transaction

from applications import rules, services
from applications.models import Application, ApplicationState
from solidarity.errors import DomainError, PermissionDenied, TransitionNotAllowed
from tests.applications import factories

S = ApplicationState
ROLES = [
    "researcher",
    "other_researcher",
    "secretariat",
    "chair",
    "reviewer",
    "custodian",
    "auditor",
    "outsider",
]
TEXT = "Written for the test."
# (state, has the project been active?) — the amendment states appear both ways.
SITUATIONS = [(state, False) for state in S.values] + [(state, True) for state in rules.AMENDMENT]


class Rollback(Exception):
    pass


def _service_allows(name, user, application) -> bool:
    service = services.TRANSITION_SERVICES[name]
    transition = rules.APPLICATION[name]
    kwargs = {transition.text: TEXT} if transition.needs_text else {}
    try:
        with transaction.atomic():
            service(actor=user, application=Application.objects.get(pk=application.pk), **kwargs)
            raise Rollback
    except Rollback:
        return True
    except (PermissionDenied, TransitionNotAllowed):
        return False
    except DomainError as exc:  # allowed, but this object lacks something else
        raise AssertionError(f"{name}: {exc.message}") from exc


def _api_allows(client, name, application) -> bool:
    transition = rules.APPLICATION[name]
    data = {transition.text: TEXT} if transition.needs_text else {}
    try:
        with transaction.atomic():
            response = client.post(
                f"/api/v1/applications/{application.pk}/{name}/", data, format="json"
            )
            raise Rollback
    except Rollback:
        pass
    assert response.status_code in (200, 201, 403, 404, 409), (name, response.content)
    return response.status_code in (200, 201)


@pytest.fixture
def application(researcher, dataset):
    return factories.submitted(researcher, datasets=[dataset])


@pytest.mark.parametrize(("state", "was_active"), SITUATIONS)
def test_html_api_and_services_agree_with_the_rulebook(
    request, client, api_client, application, state, was_active
):
    import datetime

    from django.utils import timezone

    Application.objects.filter(pk=application.pk).update(
        state=state,
        activated_at=timezone.now() if was_active or state in (S.ACTIVE, S.SUSPENDED) else None,
        access_expires_on=timezone.localdate() + datetime.timedelta(days=100),
    )
    disagreements = []
    for role in ROLES:
        user = request.getfixturevalue(role)
        fresh = Application.objects.get(pk=application.pk)
        client.force_login(user)
        api_client.force_authenticate(user)
        page = client.get(f"/applications/{fresh.pk}/")
        html = page.content.decode() if page.status_code == 200 else ""
        # A button posts at once, or (an irreversible move) links to its confirmation page.
        buttons = set(re.findall(rf'action="/applications/{fresh.pk}/([a-z-]+)/"', html)) | set(
            re.findall(rf'href="/applications/{fresh.pk}/([a-z-]+)/" data-confirm-step', html)
        )
        detail = api_client.get(f"/api/v1/applications/{fresh.pk}/")
        assert detail.status_code in (200, 404)
        listed = set(detail.json()["actions"]) if detail.status_code == 200 else set()
        for transition in rules.APPLICATION:
            name = transition.name
            expected = rules.APPLICATION.allows(name, user, fresh)
            if name not in services.TRANSITION_SERVICES:
                # Made only by another service (the committee's decision, activation, expiry):
                # never a button, never an action of its own.
                assert name not in buttons and name not in listed
                assert api_client.post(
                    f"/api/v1/applications/{fresh.pk}/{name}/", {}, format="json"
                ).status_code in (404, 405)
                continue
            answers = {
                "html": name in buttons,
                "api-offered": name in listed,
                # An application the user cannot see answers 404 to every action (checked
                # below for the moves no one may make); no need to post each one.
                "api": detail.status_code == 200 and _api_allows(api_client, name, fresh),
                "service": _service_allows(name, user, fresh),
            }
            if any(answer != expected for answer in answers.values()):
                disagreements.append((role, name, expected, answers))
    assert not disagreements, disagreements
