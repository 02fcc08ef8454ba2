"""Conditions of approval over time (issue 10, item 9): overdue flags, reminders to the owner
through the outbox, and a "before activation" kind that holds activation until met or waived.
Driven through the REST API, the daily task and the condition page."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from applications.models import Application
from reviews.models import Condition
from solidarity.audit.models import AuditEvent
from solidarity.notifications.models import Notification
from tests.benefits.factories import ApprovedApplicationFactory, signed_agreement

pytestmark = pytest.mark.django_db

APPS = "/api/v1/applications/"
CONDITIONS = "/api/v1/conditions/"


class check_conditions_due:
    """The daily task, imported when used so that each test fails on its own without it."""

    @staticmethod
    def delay():
        from reviews.tasks import check_conditions_due as task

        return task.delay()


def _today():
    return timezone.localdate()


def _add(api_client, chair, application, *, kind="general", days=30, text="Publish the code."):
    api_client.force_authenticate(chair)
    response = api_client.post(
        f"{APPS}{application.pk}/conditions/",
        {"text": text, "kind": kind, "due_on": (_today() + datetime.timedelta(days)).isoformat()},
        format="json",
    )
    assert response.status_code == 201, response.content
    return response.json()


@pytest.fixture
def approved(researcher):
    """Approved, every dataset granted: only the agreement (and conditions) keep it waiting."""
    return ApprovedApplicationFactory(applicant=researcher)


def test_a_before_activation_condition_holds_activation_until_met(
    api_client, approved, chair, secretariat, benefit_officer, researcher
):
    condition = _add(api_client, chair, approved, kind="before_activation", text="Sign the DPA.")
    assert condition["blocks_activation"] is True
    signed_agreement(approved, benefit_officer)
    approved.refresh_from_db()
    assert approved.state == "approved"  # the agreement alone no longer activates it
    api_client.force_authenticate(researcher)
    missing = api_client.get(f"{APPS}{approved.pk}/").json()["missing_for_activation"]
    assert any("Sign the DPA." in item for item in missing)
    # The owner reporting is not enough: the secretariat must mark it met.
    response = api_client.post(f"{CONDITIONS}{condition['id']}/report/", {"report": "Signed."})
    assert response.status_code == 200, response.content
    assert Application.objects.get(pk=approved.pk).state == "approved"
    assert api_client.post(f"{CONDITIONS}{condition['id']}/met/").status_code == 403
    api_client.force_authenticate(secretariat)
    response = api_client.post(f"{CONDITIONS}{condition['id']}/met/")
    assert response.status_code == 200, response.content
    assert response.json()["state"] == "met" and response.json()["blocks_activation"] is False
    assert Application.objects.get(pk=approved.pk).state == "active"
    # Meeting the condition activates the project at once (grants follow the activation).
    actions = [
        e.action for e in AuditEvent.objects.order_by("id") if not e.action.startswith("grant.")
    ]
    assert actions[-2:] == ["condition.met", "application.activate"]


def test_waiving_a_before_activation_condition_lets_the_project_start(
    api_client, approved, chair, secretariat, benefit_officer
):
    condition = _add(api_client, chair, approved, kind="before_activation")
    signed_agreement(approved, benefit_officer)
    api_client.force_authenticate(secretariat)
    url = f"{CONDITIONS}{condition['id']}/waive/"
    assert api_client.post(url, {"reason": ""}).status_code == 400
    assert Application.objects.get(pk=approved.pk).state == "approved"
    response = api_client.post(url, {"reason": "Not needed."})
    assert response.status_code == 200, response.content
    assert Application.objects.get(pk=approved.pk).state == "active"


def test_an_ordinary_condition_does_not_hold_activation(
    api_client, approved, chair, benefit_officer
):
    _add(api_client, chair, approved, kind="general")
    signed_agreement(approved, benefit_officer)
    approved.refresh_from_db()
    assert approved.state == "active"


def test_an_open_condition_past_its_due_date_is_flagged_and_its_owner_reminded(
    api_client, client, approved, chair, researcher
):
    condition = _add(api_client, chair, approved, days=3)
    Condition.objects.filter(pk=condition["id"]).update(
        due_on=_today() - datetime.timedelta(days=1)
    )
    assert check_conditions_due.delay().get() == {"flagged": 1, "reminded": 1}
    api_client.force_authenticate(researcher)
    listed = api_client.get(CONDITIONS, {"overdue": "1"}).json()["results"]
    assert [(c["id"], c["overdue"]) for c in listed] == [(condition["id"], True)]
    assert listed[0]["overdue_since"] == _today().isoformat()
    reminder = Notification.objects.filter(recipient=researcher, kind="condition_reminder")
    assert reminder.count() == 1 and "Overdue" in reminder.get().subject
    event = AuditEvent.objects.filter(action="condition.overdue").get()
    assert (event.actor_label, event.target_id) == ("system", str(condition["id"]))
    # Idempotent the same day; reminded again a week later.
    assert check_conditions_due.delay().get() == {"flagged": 0, "reminded": 0}
    Condition.objects.filter(pk=condition["id"]).update(
        reminded_on=_today() - datetime.timedelta(days=7)
    )
    assert check_conditions_due.delay().get() == {"flagged": 0, "reminded": 1}
    client.force_login(researcher)
    page = client.get(reverse("reviews:condition", args=[condition["id"]])).content.decode()
    assert f"Overdue since {date_format(_today(), 'DATE_FORMAT')}" in page
    assert "overdue" in client.get(reverse("reviews:conditions")).content.decode()


def test_the_owner_is_reminded_once_before_the_due_date(api_client, approved, chair, researcher):
    _add(api_client, chair, approved, days=5)
    _add(api_client, chair, approved, days=30)  # too far ahead to remind
    assert check_conditions_due.delay().get() == {"flagged": 0, "reminded": 1}
    assert check_conditions_due.delay().get() == {"flagged": 0, "reminded": 0}
    subjects = list(
        Notification.objects.filter(kind="condition_reminder").values_list("subject", flat=True)
    )
    assert len(subjects) == 1 and "due soon" in subjects[0]


def test_met_conditions_and_ended_projects_are_left_alone(api_client, approved, chair, secretariat):
    met = _add(api_client, chair, approved, days=1)
    api_client.force_authenticate(secretariat)
    api_client.post(f"{CONDITIONS}{met['id']}/met/")
    Condition.objects.update(due_on=_today() - datetime.timedelta(days=2))
    assert check_conditions_due.delay().get() == {"flagged": 0, "reminded": 0}
    api_client.force_authenticate(secretariat)
    assert api_client.get(f"{CONDITIONS}{met['id']}/").json()["overdue"] is False


def test_strangers_neither_see_nor_settle_a_condition(
    api_client, approved, chair, outsider, other_researcher
):
    condition = _add(api_client, chair, approved)
    for user in (outsider, other_researcher):
        api_client.force_authenticate(user)
        assert api_client.get(f"{CONDITIONS}{condition['id']}/").status_code == 404
        assert api_client.post(f"{CONDITIONS}{condition['id']}/met/").status_code == 404
    assert Condition.objects.get(pk=condition["id"]).state == "open"


def test_the_conditions_list_runs_a_fixed_number_of_queries(
    api_client, approved, chair, secretariat
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def count():
        api_client.force_authenticate(secretariat)
        with CaptureQueriesContext(connection) as ctx:
            assert api_client.get(CONDITIONS).status_code == 200
        return len(ctx.captured_queries)

    _add(api_client, chair, approved)
    count()  # the first request warms per-process caches (roles)
    one = count()
    for n in range(5):
        _add(api_client, chair, approved, days=n + 2)
    assert count() == one
