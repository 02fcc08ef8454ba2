"""Lessons reach the next review; a threshold of serious reports opens harm reviews (issue 15)."""

from datetime import timedelta

import pytest
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from harms import lessons, services, tasks
from harms.lesson_models import HarmLesson, HarmReview
from harms.models import HarmReport
from harms.permissions import ReceiptHolder
from solidarity.audit.models import AuditEvent
from solidarity.notifications.models import Notification
from tests.factories import DatasetFactory

from .factories import make_application, make_report

pytestmark = pytest.mark.django_db


@pytest.fixture
def dataset(organisation):
    return DatasetFactory(title="Cancer registry", custodian=organisation)


@pytest.fixture
def offered(investigating, harm_officer, dataset):
    """A report about ``dataset`` whose one redress offer was declined: ready to resolve."""
    investigating.datasets.add(dataset)
    action = services.redress_offer(
        actor=harm_officer, report=investigating, kind="apology", description="An apology."
    )
    services.redress_decline(actor=ReceiptHolder(report_id=investigating.pk), action=action)
    return HarmReport.objects.get(pk=investigating.pk)


def _resolve(client, report, **extra):
    return client.post(
        reverse("harms:action", args=[report.pk, "resolve"]),
        {"resolve-outcome": "We apologised.", **{f"resolve-{k}": v for k, v in extra.items()}},
    )


def test_resolving_with_a_lesson_saves_both_and_audits_the_lesson(client, offered, harm_officer):
    client.force_login(harm_officer)
    text = "Linkage keys were shared by e-mail; require the trusted environment's transfer tool."
    response = _resolve(client, offered, lesson=text)
    assert response.status_code == 302
    offered.refresh_from_db()
    assert offered.state == "resolved"
    assert HarmLesson.objects.get(report=offered).text == text
    actions = set(AuditEvent.objects.for_target(offered).values_list("action", flat=True))
    assert {"harm_report.resolve", "harm_lesson.record"} <= actions
    page = client.get(reverse("harms:detail", args=[offered.pk])).content.decode()
    assert "Lesson for reviewers" in page and "trusted environment" in page


def test_resolving_without_a_lesson_still_works(client, offered, harm_officer):
    client.force_login(harm_officer)
    assert _resolve(client, offered).status_code == 302
    offered.refresh_from_db()
    assert offered.state == "resolved" and not HarmLesson.objects.exists()


@pytest.mark.parametrize(
    "lesson",
    [
        "Dana complained that the linkage was wrong.",  # the reporter's name
        "Write to dana@example.org for details.",
        "Call +43 1 234 5678 about it.",
        "Same as HR-2026-00012.",
    ],
)
def test_a_lesson_that_identifies_someone_is_refused_and_nothing_is_saved(
    client, offered, harm_officer, lesson
):
    client.force_login(harm_officer)
    response = _resolve(client, offered, lesson=lesson)
    assert response.status_code == 400
    assert "Remove what identifies a person or a report." in response.content.decode()
    offered.refresh_from_db()
    assert offered.state == "redress_offered"  # the resolution was rolled back with the lesson
    assert not HarmLesson.objects.exists()


def test_the_api_resolves_with_a_lesson_and_refuses_an_identifying_one(
    api_client, offered, harm_officer
):
    api_client.force_authenticate(harm_officer)
    url = f"/api/v1/harm-reports/{offered.pk}/resolve/"
    bad = api_client.post(url, {"outcome": "Done.", "lesson": "Ask dana@example.org"})
    assert bad.status_code == 400 and "lesson" in bad.json()["error"]["fields"]
    assert HarmReport.objects.get(pk=offered.pk).state == "redress_offered"
    good = api_client.post(url, {"outcome": "Done.", "lesson": "Check linkage keys first."})
    assert good.status_code == 200 and good.json()["state"] == "resolved"
    assert HarmLesson.objects.get(report=offered).text == "Check linkage keys first."


def test_only_harm_officers_record_lessons_and_only_on_decided_reports(
    offered, harm_officer, chair
):
    from solidarity.errors import PermissionDenied, TransitionNotAllowed

    with pytest.raises(TransitionNotAllowed):
        lessons.harm_lesson_record(actor=harm_officer, report=offered, text="Too early.")
    services.harm_report_resolve(actor=harm_officer, report=offered, outcome="Done.")
    with pytest.raises(PermissionDenied):
        lessons.harm_lesson_record(actor=chair, report=offered, text="Not mine to write.")


def _lesson_on(report, officer, text):
    HarmReport.objects.filter(pk=report.pk).update(state="resolved", decided_at=timezone.now())
    return lessons.harm_lesson_record(actor=officer, report=report, text=text)


def test_reviewers_of_a_new_application_on_the_same_dataset_see_the_lessons(
    client, researcher, harm_officer, chair, dataset
):
    for n in range(3):
        report, _code = make_report()
        report.datasets.add(dataset)
        _lesson_on(report, harm_officer, f"Lesson number {n}: pseudonymise before linkage.")
    other, _code = make_report()
    _lesson_on(other, harm_officer, "A lesson about another dataset.")
    application = make_application(researcher, state="in_review", datasets=[dataset])
    client.force_login(chair)
    body = client.get(reverse("reviews:committee", args=[application.pk])).content.decode()
    assert "Lessons from the harm panel" in body
    assert body.count("pseudonymise before linkage") == 3
    assert "another dataset" not in body
    # Nothing that identifies a reporter: no receipt, reference or contact.
    assert "HR-" not in body and "dana@example.org" not in body


@pytest.mark.parametrize("n", [1, 8])
def test_the_lessons_cost_one_query_whatever_their_number(harm_officer, dataset, n):
    from django.db import connection

    for i in range(n):
        report, _code = make_report()
        report.datasets.add(dataset)
        _lesson_on(report, harm_officer, f"Lesson {i}.")
    with CaptureQueriesContext(connection) as ctx:
        found = lessons.lessons_for(datasets=[dataset], organisations=[])
    assert len(found) == n and len(ctx.captured_queries) == 1


# The threshold


def _serious_reports(n, *, dataset, severity="severe", days_ago=1, officer):
    made = []
    for _ in range(n):
        report, _code = make_report()
        services.harm_report_triage(actor=officer, report=report, severity=severity)
        report.datasets.add(dataset)
        HarmReport.objects.filter(pk=report.pk).update(
            received_at=timezone.now() - timedelta(days=days_ago)
        )
        made.append(report)
    return made


@pytest.fixture
def threshold(settings):
    settings.HARM_REVIEW_THRESHOLD_REPORTS = 3
    settings.HARM_REVIEW_THRESHOLD_SEVERITY = "severe"
    settings.HARM_REVIEW_THRESHOLD_DAYS = 30
    return settings


def test_the_threshold_opens_one_review_per_active_project_and_tells_the_chair(
    threshold, researcher, harm_officer, chair, dataset, other_organisation
):
    active = make_application(researcher, datasets=[dataset])
    elsewhere = make_application(
        researcher,
        organisation=other_organisation,
        datasets=[DatasetFactory(title="Elsewhere", custodian=other_organisation)],
    )
    closed = make_application(researcher, state="closed", datasets=[dataset])
    _serious_reports(3, dataset=dataset, officer=harm_officer)
    assert tasks.open_harm_reviews() == 2  # the dataset, and its custodian organisation
    reviews = list(HarmReview.objects.order_by("scope"))
    assert {r.application_id for r in reviews} == {active.pk}
    assert {r.scope for r in reviews} == {"dataset", "organisation"}
    assert all(r.report_count == 3 and r.state == "open" for r in reviews)
    assert not HarmReview.objects.filter(application__in=[elsewhere, closed]).exists()
    assert AuditEvent.objects.filter(action="harm_review.open").count() == 2
    assert Notification.objects.filter(recipient=chair, kind="harm_review.open").count() == 2
    # Idempotent: running again opens nothing.
    assert tasks.open_harm_reviews() == 0


def test_below_the_threshold_nothing_opens(threshold, researcher, harm_officer, dataset):
    make_application(researcher, datasets=[dataset])
    _serious_reports(2, dataset=dataset, officer=harm_officer)
    _serious_reports(2, dataset=dataset, officer=harm_officer, severity="moderate")
    _serious_reports(2, dataset=dataset, officer=harm_officer, days_ago=45)
    assert tasks.open_harm_reviews() == 0


def test_a_closed_review_reopens_only_for_a_newer_report(
    threshold, researcher, harm_officer, chair, dataset
):
    make_application(researcher, datasets=[dataset])
    _serious_reports(3, dataset=dataset, officer=harm_officer)
    first = lessons.harm_reviews_open_due()
    for review in first:
        lessons.harm_review_close(actor=chair, review=review, outcome="Conditions added.")
    assert lessons.harm_reviews_open_due() == []
    _serious_reports(1, dataset=dataset, officer=harm_officer, days_ago=0)
    assert len(lessons.harm_reviews_open_due()) == 2


def test_the_chair_sees_the_review_waiting_and_closes_it(
    client, threshold, researcher, harm_officer, chair, outsider, dataset
):
    project = make_application(researcher, datasets=[dataset], title="Registry linkage study")
    _serious_reports(3, dataset=dataset, officer=harm_officer)
    review = lessons.harm_reviews_open_due()[0]
    client.force_login(chair)
    home = client.get("/").content.decode()
    assert "Review a project after harm reports" in home and project.reference in home
    page = client.get(reverse("harms:recommendations")).content.decode()
    assert "Harm reviews opened by the threshold" in page and "Registry linkage study" in page
    url = reverse("harms:harm-review-close", args=[review.pk])
    client.post(url, {"outcome": ""})
    assert HarmReview.objects.get(pk=review.pk).state == "open"  # an outcome is required
    client.force_login(outsider)
    assert client.post(url, {"outcome": "Nothing."}).status_code == 403
    client.force_login(chair)
    assert client.post(url, {"outcome": "Condition added."}).status_code == 302
    review.refresh_from_db()
    assert review.state == "closed" and review.closed_by == chair
    assert AuditEvent.objects.filter(action="harm_review.close").exists()


def test_triage_through_the_api_checks_the_threshold(
    api_client, threshold, researcher, harm_officer, dataset, django_capture_on_commit_callbacks
):
    make_application(researcher, datasets=[dataset])
    _serious_reports(2, dataset=dataset, officer=harm_officer)
    report, _code = make_report()
    api_client.force_authenticate(harm_officer)
    with django_capture_on_commit_callbacks(execute=True):
        response = api_client.post(
            f"/api/v1/harm-reports/{report.pk}/triage/",
            {"severity": "critical", "datasets": [dataset.pk]},
            format="json",
        )
    assert response.status_code == 200
    assert HarmReview.objects.filter(scope="dataset", scope_id=dataset.pk).count() == 1


def test_a_reviewer_sees_the_lessons_while_assessing(
    client, researcher, secretariat, reviewer, harm_officer, organisation
):
    from reviews import services as review_services
    from tests.reviews import factories as review_factories

    dataset = DatasetFactory(custodian=organisation, title="Hospital episodes")
    report, _code = make_report()
    report.datasets.add(dataset)
    _lesson_on(report, harm_officer, "Check small-area outputs before release.")
    review_services.framework_ensure_default()
    application = review_factories.in_review(researcher, secretariat, datasets=[dataset])
    assignment = review_factories.assign(application, secretariat, reviewer)
    client.force_login(reviewer)
    body = client.get(reverse("reviews:assess", args=[assignment.pk])).content.decode()
    assert "Harm history of these datasets and organisations" in body
    assert "Check small-area outputs before release." in body


@pytest.mark.parametrize("n", [1, 6])
def test_the_api_lists_harm_reviews_for_the_chair_and_lets_the_chair_close_them(
    api_client, threshold, researcher, harm_officer, chair, outsider, n, django_assert_num_queries
):
    dataset = DatasetFactory()
    for _ in range(n):
        make_application(researcher, datasets=[dataset])
    _serious_reports(3, dataset=dataset, officer=harm_officer)
    assert len(lessons.harm_reviews_open_due()) == 2 * n
    api_client.force_authenticate(outsider)
    assert api_client.get("/api/v1/harm-reviews/").status_code == 403
    api_client.force_authenticate(chair)
    api_client.get("/api/v1/harm-reviews/")
    with django_assert_num_queries(2):  # the count and the page (roles are cached)
        listed = api_client.get("/api/v1/harm-reviews/?state=open")
    assert listed.status_code == 200 and listed.json()["count"] == 2 * n
    first = listed.json()["results"][0]["id"]
    url = f"/api/v1/harm-reviews/{first}/close/"
    assert api_client.post(url, {"outcome": ""}).status_code == 400
    api_client.force_authenticate(harm_officer)
    assert api_client.post(url, {"outcome": "Seen."}).status_code == 403
    api_client.force_authenticate(chair)
    closed = api_client.post(url, {"outcome": "Condition added."})
    assert closed.status_code == 200 and closed.json()["state"] == "closed"
    assert api_client.post(url, {"outcome": "Again."}).status_code == 409


def test_lessons_about_the_applicants_organisation_reach_the_committee(
    client, researcher, harm_officer, chair, other_organisation
):
    earlier = make_application(researcher, organisation=other_organisation)
    report, _code = make_report()
    report.applications.add(earlier)
    _lesson_on(report, harm_officer, "Agree publication review before results leave the TRE.")
    application = make_application(
        researcher, state="in_review", organisation=other_organisation, datasets=[DatasetFactory()]
    )
    client.force_login(chair)
    body = client.get(reverse("reviews:committee", args=[application.pk])).content.decode()
    assert "Agree publication review before results leave the TRE." in body
