"""The HTML, the API and the services give the rulebook's answer to "may this actor do this
now?" for every move of the reviewers' assignment rulebook (``reviews.rules.ASSIGNMENT``), in
every assignment state, while the application is reviewed and once it is decided, for every
role: the assigned reviewer, another reviewer, the chair, the secretariat and an outsider."""

import re

import pytest
from django.db import transaction

from applications.models import Application
from reviews import rules, services
from reviews.models import Assignment, AssignmentState
from solidarity.errors import DomainError, PermissionDenied, TransitionNotAllowed
from tests.factories import DatasetFactory
from tests.reviews import factories

ROLES = ["reviewer", "other_reviewer", "chair", "secretariat", "outsider"]
TEXT = "I advised the applicant last year."
SITUATIONS = [
    (state, app_state)
    for state in AssignmentState.values
    for app_state in ("in_review", "awaiting_decision", "approved")
]


class Rollback(Exception):
    pass


@pytest.fixture
def framework(db):
    return services.framework_loaded(services.framework_ensure_default().pk)


@pytest.fixture
def in_review(researcher, secretariat, organisation, framework):
    dataset = DatasetFactory(custodian=organisation, title="Diabetes records")
    return factories.in_review(researcher, secretariat, datasets=[dataset])


def _service(name, user, assignment, framework):
    if name == "declare-none":
        return services.coi_declare(actor=user, assignment=assignment, has_conflict=False)
    if name == "declare-conflict":
        return services.coi_declare(
            actor=user, assignment=assignment, has_conflict=True, details=TEXT
        )
    if name == "file":
        return services.assessment_file(
            actor=user, assignment=assignment, answers=factories.answers(framework)
        )
    return services.assignment_recuse(actor=user, assignment=assignment, details=TEXT)


def _tried(name, user, assignment, framework) -> bool:
    try:
        with transaction.atomic():
            _service(name, user, Assignment.objects.get(pk=assignment.pk), framework)
            raise Rollback
    except Rollback:
        return True
    except (PermissionDenied, TransitionNotAllowed):
        return False
    except DomainError as exc:
        raise AssertionError(exc.message) from exc


def _api(name, api_client, assignment, framework) -> bool:
    if name == "file":
        url, body = (
            "/api/v1/assessments/",
            {"assignment": assignment.pk, "answers": factories.answers(framework), "file": True},
        )
    elif name == "recuse":
        url, body = f"/api/v1/assignments/{assignment.pk}/recuse/", {"details": TEXT}
    else:
        conflict = name == "declare-conflict"
        url = f"/api/v1/assignments/{assignment.pk}/declare/"
        body = {"has_conflict": conflict, "details": TEXT if conflict else ""}
    try:
        with transaction.atomic():
            response = api_client.post(url, body, format="json")
            raise Rollback
    except Rollback:
        pass
    assert response.status_code in (200, 201, 403, 404, 409), (url, response.content)
    return response.status_code in (200, 201)


def _html_moves(client, assignment) -> set[str]:
    """The moves the reviewer's pages offer: the declaration form, the filing button, the
    recusal form."""
    found = set()
    page = client.get(f"/reviews/assignments/{assignment.pk}/")
    if page.status_code == 200 and 'name="has_conflict"' in page.content.decode():
        found |= {"declare-none", "declare-conflict"}
    page = client.get(f"/reviews/assignments/{assignment.pk}/assess/")
    if page.status_code == 200:
        html = page.content.decode()
        if re.search(r'name="action" value="file"', html):
            found.add("file")
        if f'action="/reviews/assignments/{assignment.pk}/recuse/"' in html:
            found.add("recuse")
    return found


def test_every_declared_move_is_covered_here():
    assert {t.name for t in rules.ASSIGNMENT} == {
        "declare-none",
        "declare-conflict",
        "file",
        "recuse",
    }


@pytest.mark.parametrize(("state", "app_state"), SITUATIONS)
def test_assignment_moves_agree_with_the_rulebook(
    request, client, api_client, in_review, secretariat, reviewer, framework, state, app_state
):
    assignment = factories.assign(in_review, secretariat, reviewer)
    Assignment.objects.filter(pk=assignment.pk).update(state=state)
    Application.objects.filter(pk=in_review.pk).update(state=app_state)
    disagreements = []
    for role in ROLES:
        user = request.getfixturevalue(role)
        client.force_login(user)
        api_client.force_authenticate(user)
        fresh = Assignment.objects.select_related("application").get(pk=assignment.pk)
        html = _html_moves(client, fresh)
        for t in rules.ASSIGNMENT:
            expected = rules.ASSIGNMENT.allows(t.name, user, fresh)
            answers = {
                "html": t.name in html,
                "api": _api(t.name, api_client, fresh, framework),
                "service": _tried(t.name, user, fresh, framework),
            }
            if any(answer != expected for answer in answers.values()):
                disagreements.append((role, t.name, expected, answers))
    assert not disagreements, disagreements
