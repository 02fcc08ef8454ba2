"""Reminders of due reviews, the home-page panels, the framework page and its credit."""

import datetime
import threading

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from reviews import services
from reviews.models import Assignment
from reviews.tasks import remind_due_reviews
from solidarity.errors import DomainError
from solidarity.notifications.models import Notification

from . import factories


def test_reviewers_are_reminded_of_due_and_overdue_reviews_once_a_day(
    in_review, secretariat, reviewer, other_reviewer
):
    soon = factories.assign(in_review, secretariat, reviewer)
    later = factories.assign(in_review, secretariat, other_reviewer)
    Assignment.objects.filter(pk=later.pk).update(
        due_on=timezone.localdate() + datetime.timedelta(days=20)
    )
    Assignment.objects.filter(pk=soon.pk).update(
        due_on=timezone.localdate() - datetime.timedelta(days=1)
    )
    assert remind_due_reviews.delay().get() == 1
    assert remind_due_reviews.delay().get() == 0
    reminder = Notification.objects.get(kind="review_reminder")
    assert reminder.recipient == reviewer and reminder.subject.startswith("Overdue")
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    assert services.assignment_remind_due(today=tomorrow) == 1


def test_the_overdue_reminder_writes_the_date_in_the_reviewers_language(
    in_review, secretariat, reviewer
):
    soon = factories.assign(in_review, secretariat, reviewer)
    due = datetime.date(2026, 3, 2)
    Assignment.objects.filter(pk=soon.pk).update(due_on=due)
    reviewer.language = "de"
    reviewer.save(update_fields=["language"])
    assert services.assignment_remind_due(today=datetime.date(2026, 3, 3)) == 1
    body = Notification.objects.get(kind="review_reminder").body
    assert "2. März 2026" in body and "2026-03-02" not in body


def test_filed_reviews_are_not_reminded(in_review, assignment, framework):
    factories.file_review(assignment, framework)
    Assignment.objects.filter(pk=assignment.pk).update(due_on=timezone.localdate())
    assert services.assignment_remind_due(today=timezone.localdate()) == 0


def test_the_reviewer_home_panel_lists_assignments(client, assignment):
    client.force_login(assignment.reviewer)
    body = client.get(reverse("home")).content.decode()
    assert "Your review assignments" in body
    assert reverse("reviews:assignment", args=[assignment.pk]) in body


def test_the_researcher_home_panel_links_the_self_assessment(client, researcher, framework):
    application = factories.draft(researcher)
    client.force_login(researcher)
    body = client.get(reverse("home")).content.decode()
    assert reverse("reviews:self-assessment", args=[application.pk]) in body


def test_the_framework_page_credits_pluto_and_shows_its_licence(client, outsider, framework):
    client.force_login(outsider)
    body = client.get(reverse("reviews:framework")).content.decode()
    assert "University of Vienna" in body and "MIT License" in body
    assert "Q24" in body


def test_the_assessment_page_credits_pluto(client, assignment, framework):
    client.force_login(assignment.reviewer)
    body = client.get(reverse("reviews:assess", args=[assignment.pk])).content.decode()
    assert "PLUTO" in body and "University of Vienna" in body


def test_the_committee_page_shows_the_harm_history_section(client, in_review, chair, framework):
    client.force_login(chair)
    body = client.get(reverse("reviews:committee", args=[in_review.pk])).content.decode()
    assert "Harm history of these datasets and organisations" in body
    try:
        import harms.selectors  # noqa: F401
    except ImportError:
        assert "not available yet" in body
    else:
        assert "0 harm reports concern these datasets or organisations." in body


@pytest.mark.parametrize("who", ["researcher", "outsider", "custodian"])
def test_dashboards_refuse_non_members(client, request, who):
    client.force_login(request.getfixturevalue(who))
    assert client.get(reverse("reviews:assignments")).status_code == 403
    assert client.get(reverse("reviews:history")).status_code == 403
    assert client.get(reverse("reviews:queue")).status_code == 403


@pytest.mark.django_db(transaction=True)
def test_concurrent_assignments_of_the_same_reviewer_make_one(researcher, secretariat, reviewer):
    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL")
    services.framework_ensure_default()
    application = factories.in_review(researcher, secretariat)
    outcomes = []
    barrier = threading.Barrier(2)

    def attempt():
        from django.db import connection as thread_connection

        try:
            barrier.wait()
            services.assignment_create(
                actor=secretariat,
                application=application,
                reviewer=reviewer,
                role="lay",
                due_on=factories.due(),
            )
            outcomes.append("ok")
        except DomainError:
            outcomes.append("refused")
        finally:
            thread_connection.close()

    threads = [threading.Thread(target=attempt) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["ok", "refused"]
    assert Assignment.objects.filter(application=application, reviewer=reviewer).count() == 1
