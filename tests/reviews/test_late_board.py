"""The late board for the chair and the secretariat, due dates on every home, and the daily
reminders before and on due dates (issue 16)."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django.utils.formats import date_format

from applications.models import Application, DatasetRequest
from reviews.models import Assignment, DueReminder
from reviews.reminders import reminders_send
from solidarity.notifications.models import Notification

from .factories import assign, in_review, submitted

pytestmark = pytest.mark.django_db


def _age(application, days):
    Application.objects.filter(pk=application.pk).update(
        submitted_at=timezone.now() - datetime.timedelta(days=days)
    )


def test_chair_late_board_shows_an_overdue_review(client, researcher, secretariat, reviewer, chair):
    application = in_review(researcher, secretariat)
    assignment = assign(application, secretariat, reviewer)
    client.force_login(chair)
    board = client.get("/reviews/late/").content.decode()
    assert 'data-late="reviews">0<' in board
    Assignment.objects.filter(pk=assignment.pk).update(
        due_on=timezone.localdate() - datetime.timedelta(days=3)
    )
    board = client.get("/reviews/late/").content.decode()
    assert 'data-late="reviews">1<' in board
    listing = client.get("/reviews/late/reviews/").content.decode()
    assert application.reference in listing and str(reviewer) in listing
    assert f"/reviews/applications/{application.pk}/committee/" in listing


def test_late_screening_decisions_and_custodian_decisions(
    client, researcher, other_researcher, secretariat, settings
):
    settings.SCREENING_DAYS, settings.CUSTODIAN_DECISION_DAYS = 10, 20
    fresh = submitted(researcher)
    old = submitted(other_researcher, title="Old one")
    _age(old, 25)
    client.force_login(secretariat)
    board = client.get("/reviews/late/").content.decode()
    assert 'data-late="screening">1<' in board
    assert 'data-late="custodian-decisions">1<' in board
    screening = client.get("/reviews/late/screening/").content.decode()
    assert old.reference in screening and fresh.reference not in screening
    custodian = client.get("/reviews/late/custodian-decisions/").content.decode()
    assert old.reference in custodian and fresh.reference not in custodian


def test_late_board_is_refused_to_others(client, researcher, reviewer, outsider, harm_officer):
    for user in (researcher, reviewer, outsider, harm_officer):
        client.force_login(user)
        assert client.get("/reviews/late/").status_code == 403
        assert client.get("/reviews/late/reviews/").status_code == 403
    client.logout()
    assert client.get("/reviews/late/").status_code == 302


def test_unknown_kind_is_404(client, chair):
    client.force_login(chair)
    assert client.get("/reviews/late/nothing/").status_code == 404


def test_late_pages_run_a_fixed_number_of_queries(
    client, researcher, secretariat, reviewer, other_reviewer, chair
):
    def counts():
        client.force_login(chair)
        found = []
        for path in ["/reviews/late/", "/reviews/late/reviews/", "/reviews/late/screening/"]:
            client.get(path)
            with CaptureQueriesContext(connection) as ctx:
                assert client.get(path).status_code == 200
            found.append(len(ctx.captured_queries))
        return found

    def late_review():
        application = in_review(researcher, secretariat)
        assignment = assign(application, secretariat, reviewer)
        Assignment.objects.filter(pk=assignment.pk).update(
            due_on=timezone.localdate() - datetime.timedelta(days=1)
        )
        _age(submitted(researcher), 30)

    late_review()
    before = counts()
    for _ in range(4):
        late_review()
    assert counts() == before


def test_home_lists_due_dates_overdue_first(client, researcher, secretariat, reviewer, settings):
    settings.SCREENING_DAYS = 10
    recent = submitted(researcher, title="Recent submission")
    old = submitted(researcher, title="Old submission")
    _age(old, 12)
    client.force_login(secretariat)
    body = client.get("/").content.decode()
    # The old one is overdue and listed before the recent one, each with its due date.
    assert body.index("Old submission") < body.index("Recent submission")
    due = timezone.localdate() + datetime.timedelta(days=10)
    assert f"due {date_format(due, 'DATE_FORMAT')}" in body
    late = timezone.localdate() - datetime.timedelta(days=2)
    assert f"overdue since {date_format(late, 'DATE_FORMAT')}" in body
    assert recent.reference in body


def test_reminders_before_and_on_the_due_date_once_a_day(
    researcher, secretariat, reviewer, custodian, settings
):
    settings.REMINDER_DAYS_BEFORE = [7, 1]
    settings.CUSTODIAN_DECISION_DAYS = 20
    today = timezone.localdate()
    application = in_review(researcher, secretariat)
    assignment = assign(application, secretariat, reviewer)
    Assignment.objects.filter(pk=assignment.pk).update(due_on=today + datetime.timedelta(days=7))
    # A dataset of carla's organisation, requested 20 days ago: due today.
    request = DatasetRequest.objects.filter(application=application).first()
    from tests.factories import DatasetFactory

    dataset = DatasetFactory(custodian=custodian.memberships.first().organisation)
    DatasetRequest.objects.filter(pk=request.pk).update(dataset=dataset)
    _age(application, 20)
    Application.objects.filter(pk=application.pk).update(
        submitted_at=timezone.make_aware(
            datetime.datetime.combine(today - datetime.timedelta(days=20), datetime.time(12))
        )
    )

    sent = reminders_send(today=today)
    assert sent["review"] == 1 and sent["custodian"] == 1
    assert Notification.objects.filter(recipient=reviewer, kind="due_reminder").count() == 1
    mail = Notification.objects.get(recipient=custodian, kind="due_reminder")
    assert "today" in mail.subject and dataset.title in mail.subject
    # Idempotent: the same day again sends nothing.
    assert sum(reminders_send(today=today).values()) == 0
    assert Notification.objects.filter(kind="due_reminder").count() == 2
    # Not on a day that is neither 7 nor 1 days before, nor the day itself.
    assert reminders_send(today=today + datetime.timedelta(days=2))["review"] == 0
    # One day before, then on the day.
    assert reminders_send(today=today + datetime.timedelta(days=6))["review"] == 1
    assert reminders_send(today=today + datetime.timedelta(days=7))["review"] == 1
    assert DueReminder.objects.filter(kind="review", object_id=assignment.pk).count() == 3


def test_reminder_skips_an_item_already_reminded_today_by_its_own_task(
    researcher, secretariat, reviewer
):
    from reviews.services import assignment_remind_due

    today = timezone.localdate()
    application = in_review(researcher, secretariat)
    assignment = assign(application, secretariat, reviewer)
    Assignment.objects.filter(pk=assignment.pk).update(due_on=today + datetime.timedelta(days=1))
    assert assignment_remind_due(today=today) == 1
    assert reminders_send(today=today)["review"] == 0
    assert (
        Notification.objects.filter(recipient=reviewer)
        .filter(kind__in=["review_reminder", "due_reminder"])
        .count()
        == 1
    )


def test_the_task_is_registered_in_the_one_schedule():
    from solidarity.celery import app

    entry = app.conf.beat_schedule["reviews-due-reminders"]
    assert entry["task"] == "reviews.tasks.send_due_reminders"


def test_reminders_for_conditions_and_obligations_and_the_late_board_counts_them(
    client, chair, benefit_officer, settings
):
    from benefits.models import Obligation
    from reviews.models import Condition
    from tests.benefits.factories import ApprovedApplicationFactory, signed_agreement

    settings.REMINDER_DAYS_BEFORE = [7, 1]
    today = timezone.localdate()
    application = ApprovedApplicationFactory()
    agreement = signed_agreement(application, benefit_officer)
    obligation = Obligation.objects.get(agreement=agreement)
    Obligation.objects.filter(pk=obligation.pk).update(due_date=today + datetime.timedelta(1))
    condition = Condition.objects.create(
        application=application,
        text="Publish the analysis code.",
        due_on=today + datetime.timedelta(days=7),
        owner=application.applicant,
        created_by=chair,
    )
    sent = reminders_send(today=today)
    assert sent["obligation"] == 1 and sent["condition"] == 1
    subjects = set(
        Notification.objects.filter(
            recipient=application.applicant, kind="due_reminder"
        ).values_list("subject", flat=True)
    )
    assert len(subjects) == 2
    condition.refresh_from_db()
    assert condition.reminded_on == today  # the conditions task will not repeat it today
    assert sum(reminders_send(today=today).values()) == 0

    # Past their due dates both are on the late board.
    Obligation.objects.filter(pk=obligation.pk).update(due_date=today - datetime.timedelta(1))
    Condition.objects.filter(pk=condition.pk).update(due_on=today - datetime.timedelta(1))
    client.force_login(chair)
    board = client.get("/reviews/late/").content.decode()
    assert 'data-late="conditions">1<' in board and 'data-late="obligations">1<' in board
    listing = client.get("/reviews/late/obligations/").content.decode()
    assert application.reference in listing and f"/benefits/agreements/{agreement.pk}/" in listing


def test_the_harm_row_of_the_late_board_links_only_for_the_panel(client, chair, harm_officer):
    from harms.models import HarmReport
    from tests.harms.factories import make_report

    report, _code = make_report()
    HarmReport.objects.filter(pk=report.pk).update(
        acknowledge_due=timezone.now() - datetime.timedelta(days=3),
        next_due_at=timezone.now() - datetime.timedelta(days=3),
    )
    client.force_login(chair)
    board = client.get("/reviews/late/").content.decode()
    assert 'data-late="harm-reports">1<' in board and "/harms/queue/?overdue=on" not in board
    listing = client.get("/reviews/late/harm-reports/").content.decode()
    assert report.reference in listing and f"/harms/{report.pk}/" not in listing
