"""Committee pages and lists run a fixed number of queries whatever their size."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from applications.models import Application
from reviews import services
from reviews.models import Assessment, Assignment, RiskItem
from tests.factories import UserFactory

from . import factories


def _bulk_applications(applicant, n, state="in_review"):
    return [
        Application.objects.create(
            applicant=applicant, title=f"Study {i}", state=state, reference=f"DSA-2026-{i:04d}"
        )
        for i in range(n)
    ]


def _bulk_assignments(applications, reviewer, assigner, state="active"):
    return [
        Assignment.objects.create(
            application=a,
            reviewer=reviewer,
            role="scientific",
            due_on=factories.due(i - 5),
            assigned_by=assigner,
            state=state,
        )
        for i, a in enumerate(applications)
    ]


def _count(client, url) -> int:
    client.get(url)  # warm the content-type cache
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def _committee(in_review, secretariat, chair, framework, reviewers: int, risks: int):
    for n in range(reviewers):
        member = UserFactory(roles=["reviewer"])
        assignment = factories.assign(in_review, secretariat, member)
        factories.file_review(assignment, framework, risks=[{}] * risks)
        services.vote_cast(actor=member, application=in_review, choice="approve")
        services.condition_add(
            actor=chair, application=in_review, text=f"Condition {n}", due_on=factories.due()
        )


@pytest.mark.parametrize(("reviewers", "risks"), [(1, 1), (5, 4)])
def test_committee_page_runs_a_fixed_number_of_queries(
    client, in_review, secretariat, chair, framework, django_assert_num_queries, reviewers, risks
):
    _committee(in_review, secretariat, chair, framework, reviewers, risks)
    client.force_login(chair)
    url = reverse("reviews:committee", args=[in_review.pk])
    client.get(url)
    with django_assert_num_queries(COMMITTEE_PAGE_QUERIES):
        assert client.get(url).status_code == 200


@pytest.mark.parametrize(("reviewers", "risks"), [(1, 1), (5, 4)])
def test_classification_api_runs_a_fixed_number_of_queries(
    api_client,
    in_review,
    secretariat,
    chair,
    framework,
    django_assert_num_queries,
    reviewers,
    risks,
):
    _committee(in_review, secretariat, chair, framework, reviewers, risks)
    api_client.force_authenticate(chair)
    url = f"/api/v1/applications/{in_review.pk}/classification/"
    api_client.get(url)
    with django_assert_num_queries(CLASSIFICATION_API_QUERIES):
        assert api_client.get(url).status_code == 200


@pytest.mark.parametrize("rows", [1, 50])
def test_my_assignments_runs_a_fixed_number_of_queries(
    client, researcher, reviewer, secretariat, django_assert_num_queries, rows
):
    _bulk_assignments(_bulk_applications(researcher, rows), reviewer, secretariat)
    client.force_login(reviewer)
    url = reverse("reviews:assignments")
    client.get(url)
    with django_assert_num_queries(MY_ASSIGNMENTS_QUERIES):
        response = client.get(url)
    body = response.content.decode()
    if rows == 50:
        # Overdue first (Study 0-4 are past due), then by due date; 25 to a page.
        tag = '<span class="tag">overdue</span>'
        assert body.index("Study 0</a>") < body.index(tag) < body.index("Study 5</a>")
        assert body.count(tag) == 5 and "Study 25</a>" not in body


@pytest.mark.parametrize("rows", [1, 50])
def test_review_history_runs_a_fixed_number_of_queries(
    client, researcher, reviewer, secretariat, django_assert_num_queries, rows
):
    _bulk_assignments(_bulk_applications(researcher, rows), reviewer, secretariat, state="recused")
    client.force_login(reviewer)
    url = reverse("reviews:history")
    client.get(url)
    with django_assert_num_queries(HISTORY_QUERIES):
        assert client.get(url).status_code == 200


@pytest.mark.parametrize("rows", [1, 50])
def test_committee_queue_runs_a_fixed_number_of_queries(
    client, researcher, reviewer, secretariat, django_assert_num_queries, rows
):
    _bulk_assignments(_bulk_applications(researcher, rows), reviewer, secretariat)
    client.force_login(secretariat)
    url = reverse("reviews:queue")
    client.get(url)
    with django_assert_num_queries(QUEUE_QUERIES):
        response = client.get(url)
    assert response.content.decode().count("Committee view") == min(rows, 25)


@pytest.mark.parametrize("rows", [1, 50])
def test_assessment_api_list_runs_a_fixed_number_of_queries(
    api_client, researcher, reviewer, secretariat, framework, django_assert_num_queries, rows
):
    assignments = _bulk_assignments(_bulk_applications(researcher, rows), reviewer, secretariat)
    for a in assignments:
        assessment = Assessment.objects.create(
            kind="reviewer",
            application=a.application,
            assignment=a,
            author=reviewer,
            framework=framework,
        )
        RiskItem.objects.create(assessment=assessment, **factories.RISK)
    api_client.force_authenticate(reviewer)
    api_client.get("/api/v1/assessments/")
    with django_assert_num_queries(ASSESSMENT_API_QUERIES):
        assert api_client.get("/api/v1/assessments/?page_size=100").json()["count"] == rows
    with django_assert_num_queries(RISK_API_QUERIES):
        assert api_client.get("/api/v1/risk-reviews/?page_size=100").json()["count"] == rows


# session, user, roles, the application (visibility), the viewer's assignment, assignments with
# reviewers and filings, their risks, committee file, votes with voters, chair ids, self-assessment,
# conditions with owners and risks, team, dataset requests with custodians, quorum default file,
# the unread-notification badge, and the chair's member list for recording votes.
@pytest.mark.parametrize("rows", [1, 50])
def test_conditions_list_runs_a_fixed_number_of_queries(
    client, researcher, secretariat, chair, django_assert_num_queries, rows
):
    from reviews.models import Condition

    for application in _bulk_applications(researcher, rows):
        Condition.objects.create(
            application=application,
            text="Publish the code.",
            owner=researcher,
            due_on=factories.due(),
            created_by=chair,
        )
    for user in (researcher, secretariat):
        client.force_login(user)
        url = reverse("reviews:conditions")
        client.get(url)
        with django_assert_num_queries(CONDITIONS_QUERIES):
            response = client.get(url)
        assert response.content.decode().count("Publish the code.") == min(rows, 25)


@pytest.mark.parametrize("rows", [1, 3])
def test_frameworks_api_runs_a_fixed_number_of_queries(
    api_client, framework, django_assert_num_queries, rows
):
    for n in range(rows - 1):
        services.framework_new_version(actor=None, framework=framework, version=f"copy-{n}")
    api_client.get("/api/v1/frameworks/")
    with django_assert_num_queries(4):  # frameworks, groups, questions, choices
        assert len(api_client.get("/api/v1/frameworks/").json()) == rows


# The session and the unread badge come from the cache (solidarity/held_cache.py).
CONDITIONS_QUERIES = 4
# +1 since the harm panel's lessons sit beside the harm counts (issue 15).
COMMITTEE_PAGE_QUERIES = 16
CLASSIFICATION_API_QUERIES = 13
MY_ASSIGNMENTS_QUERIES = 4
HISTORY_QUERIES = 4
# user, roles (just signed in), the bounded count, the page (counts as sub-queries), its filings,
# and the committee members offered by the bulk-assign form (issue 16)
QUEUE_QUERIES = 6
ASSESSMENT_API_QUERIES = 3
RISK_API_QUERIES = 2
