"""Assigning reviewers, conflicts of interest, blind filing and the refusals around them."""

import pytest
from django.urls import reverse

from applications.permissions import can_view_application
from reviews import services
from reviews.models import Assessment, Assignment, AssignmentState
from solidarity.audit.models import AuditEvent
from solidarity.errors import DomainError, PermissionDenied, TransitionNotAllowed
from solidarity.notifications.models import Notification

from . import factories


def test_secretariat_assigns_a_reviewer_to_a_submission_which_enters_review(
    submitted, secretariat, reviewer
):
    assignment = services.assignment_create(
        actor=secretariat,
        application=submitted,
        reviewer=reviewer,
        role="ethics",
        due_on=factories.due(),
    )
    submitted.refresh_from_db()
    assert submitted.state == "in_review"
    assert assignment.state == AssignmentState.AWAITING_COI
    event = AuditEvent.objects.filter(action="assignment.create").latest("id")
    assert event.actor == secretariat and event.payload["role"] == "ethics"
    assert Notification.objects.filter(recipient=reviewer, kind="review_assigned").exists()
    # Not yet declared: the full application stays hidden from the reviewer.
    assert not can_view_application(reviewer, submitted)


def test_secretariat_assigns_through_the_page(client, secretariat, reviewer, in_review):
    client.force_login(secretariat)
    url = reverse("reviews:assign", args=[in_review.pk])
    assert client.get(url).status_code == 200
    response = client.post(
        url, {"reviewer": reviewer.pk, "role": "lay", "due_on": factories.due().isoformat()}
    )
    assert response.status_code == 302
    assert Assignment.objects.get(application=in_review, reviewer=reviewer).role == "lay"


def test_a_past_due_date_comes_back_with_the_typed_values(client, secretariat, reviewer, in_review):
    client.force_login(secretariat)
    response = client.post(
        reverse("reviews:assign", args=[in_review.pk]),
        {"reviewer": reviewer.pk, "role": "lay", "due_on": "2001-01-01"},
    )
    assert response.status_code == 200
    assert "today or later" in response.content.decode()
    assert 'value="2001-01-01"' in response.content.decode()
    assert not Assignment.objects.exists()


@pytest.mark.parametrize("who", ["researcher", "reviewer", "custodian", "outsider", "auditor"])
def test_only_the_secretariat_assigns(client, request, in_review, other_reviewer, who):
    user = request.getfixturevalue(who)
    with pytest.raises(PermissionDenied):
        services.assignment_create(
            actor=user,
            application=in_review,
            reviewer=other_reviewer,
            role="lay",
            due_on=factories.due(),
        )
    client.force_login(user)
    assert client.get(reverse("reviews:assign", args=[in_review.pk])).status_code == 403


def test_assigning_a_draft_or_a_non_member_is_refused(
    researcher, secretariat, reviewer, outsider, framework
):
    draft = factories.draft(researcher)
    with pytest.raises(TransitionNotAllowed):
        services.assignment_create(
            actor=secretariat,
            application=draft,
            reviewer=reviewer,
            role="lay",
            due_on=factories.due(),
        )
    submitted = factories.submitted(researcher)
    with pytest.raises(DomainError) as excinfo:
        services.assignment_create(
            actor=secretariat,
            application=submitted,
            reviewer=outsider,
            role="lay",
            due_on=factories.due(),
        )
    assert "reviewer" in excinfo.value.field_errors


def test_the_same_reviewer_cannot_be_assigned_twice(in_review, secretariat, reviewer, assignment):
    with pytest.raises(DomainError):
        services.assignment_create(
            actor=secretariat,
            application=in_review,
            reviewer=reviewer,
            role="lay",
            due_on=factories.due(),
        )


# ---- conflicts of interest ---------------------------------------------------------------


def test_declaring_no_conflict_opens_the_full_application(client, in_review, secretariat, reviewer):
    assignment = factories.assign(in_review, secretariat, reviewer, declare=False)
    client.force_login(reviewer)
    detail = reverse("applications:detail", args=[in_review.pk])
    assert client.get(detail).status_code == 404
    summary = client.get(reverse("reviews:assignment", args=[assignment.pk]))
    assert in_review.lay_summary in summary.content.decode()
    response = client.post(
        reverse("reviews:assignment", args=[assignment.pk]), {"has_conflict": "no"}
    )
    assert response.status_code == 302
    assignment.refresh_from_db()
    assert assignment.state == AssignmentState.ACTIVE
    assert client.get(detail).status_code == 200
    event = AuditEvent.objects.filter(action="coi.declare").latest("id")
    assert event.to_state == "active" and event.payload["conflict"] is False


def test_a_declared_conflict_recuses_and_hides_the_application(
    client, in_review, secretariat, reviewer
):
    assignment = factories.assign(in_review, secretariat, reviewer, declare=False)
    client.force_login(reviewer)
    url = reverse("reviews:assignment", args=[assignment.pk])
    response = client.post(url, {"has_conflict": "yes", "details": "I co-authored with the PI."})
    assert response.status_code == 302
    assignment.refresh_from_db()
    assert assignment.state == AssignmentState.RECUSED
    assert client.get(reverse("applications:detail", args=[in_review.pk])).status_code == 404
    assert client.get(reverse("reviews:assess", args=[assignment.pk])).status_code == 404
    assert client.get(reverse("reviews:committee", args=[in_review.pk])).status_code == 404
    with pytest.raises(PermissionDenied):
        services.assessment_file(actor=reviewer, assignment=assignment, answers={})
    event = AuditEvent.objects.filter(action="coi.declare").latest("id")
    assert event.to_state == "recused" and event.payload["conflict"] is True
    assert Notification.objects.filter(recipient=secretariat, kind="review_recused").exists()


def test_a_conflict_must_be_described(client, in_review, secretariat, reviewer):
    assignment = factories.assign(in_review, secretariat, reviewer, declare=False)
    client.force_login(reviewer)
    response = client.post(
        reverse("reviews:assignment", args=[assignment.pk]), {"has_conflict": "yes"}
    )
    assert response.status_code == 200
    assert "Describe the conflict" in response.content.decode()
    assignment.refresh_from_db()
    assert assignment.state == AssignmentState.AWAITING_COI


def test_conflicts_are_declared_once_and_only_by_the_reviewer(
    in_review, secretariat, reviewer, other_reviewer
):
    assignment = factories.assign(in_review, secretariat, reviewer, declare=False)
    with pytest.raises(PermissionDenied):
        services.coi_declare(actor=other_reviewer, assignment=assignment, has_conflict=False)
    services.coi_declare(actor=reviewer, assignment=assignment, has_conflict=False)
    with pytest.raises(TransitionNotAllowed):
        services.coi_declare(actor=reviewer, assignment=assignment, has_conflict=True, details="x")


def test_another_reviewer_cannot_open_someone_elses_assignment(client, assignment, other_reviewer):
    client.force_login(other_reviewer)
    assert client.get(reverse("reviews:assignment", args=[assignment.pk])).status_code == 404
    assert client.get(reverse("reviews:assess", args=[assignment.pk])).status_code == 404


def test_a_late_recusal_removes_access_and_the_filing_no_longer_counts(
    in_review, assignment, other_assignment, framework
):
    factories.file_review(assignment, framework)
    factories.file_review(other_assignment, framework, benefit="low", safety="low")
    from reviews.selectors import classification_for

    assert classification_for(in_review).filings == 2
    services.assignment_recuse(
        actor=assignment.reviewer, assignment=assignment, details="Found a tie."
    )
    assert classification_for(in_review).filings == 1
    assert classification_for(in_review).computed_type == "D"
    assert not can_view_application(assignment.reviewer, in_review)


# ---- filing ------------------------------------------------------------------------------


def test_the_reviewer_files_answers_and_risks_and_it_is_audited(assignment, framework):
    assessment = factories.file_review(
        assignment, framework, benefit="high", safety="high", risks=[{}]
    )
    assignment.refresh_from_db()
    assert assignment.state == AssignmentState.FILED
    assert assessment.use_type == "A"
    assert assessment.benefit_normalised == 1
    assert assessment.risks.count() == 1
    event = AuditEvent.objects.filter(action="assessment.file").latest("id")
    assert event.from_state == "active" and event.to_state == "filed"
    assert event.payload["type"] == "A" and event.payload["risks"] == 1


def test_filing_needs_every_question_answered_and_says_which(client, assignment, framework):
    client.force_login(assignment.reviewer)
    response = client.post(reverse("reviews:assess", args=[assignment.pk]), {"action": "file"})
    assert response.status_code == 200
    body = response.content.decode()
    assert "Q1: Answer this question" in body and "Q24: Answer this question" in body
    assignment.refresh_from_db()
    assert assignment.state == AssignmentState.ACTIVE


def test_an_invalid_selection_is_refused_with_a_message_for_that_question(
    client, assignment, framework
):
    answers = factories.answers(framework)
    q2 = next(q for q in framework.specs() if q.label == "Q2")
    other_only = next(c.id for c in q2.choices if c.kind == "other_exclusive")
    regular = next(c.id for c in q2.choices if c.kind == "regular")
    answers[q2.id] = [other_only, regular]
    data = {f"q_{k}": [str(v) for v in vs] for k, vs in answers.items()}
    data["action"] = "file"
    client.force_login(assignment.reviewer)
    response = client.post(reverse("reviews:assess", args=[assignment.pk]), data)
    assert response.status_code == 200
    assert (
        "Q2: “Other (only)” and “I don&#x27;t know” must be picked alone."
        in response.content.decode()
    )
    assert not Assessment.objects.filter(assignment=assignment, filed_at__isnull=False).exists()


def test_the_reviewer_files_through_the_page_and_then_sees_the_committee(
    client, assignment, framework
):
    data = {f"q_{k}": [str(v) for v in vs] for k, vs in factories.answers(framework).items()}
    client.force_login(assignment.reviewer)
    response = client.post(
        reverse("reviews:assess", args=[assignment.pk]), {**data, "action": "file"}
    )
    assert response.status_code == 302
    assert response.url == reverse("reviews:committee", args=[assignment.application_id])
    assert client.get(response.url).status_code == 200


def test_filing_twice_or_before_declaring_is_refused(
    in_review, secretariat, other_reviewer, assignment, framework
):
    factories.file_review(assignment, framework)
    with pytest.raises(TransitionNotAllowed):
        factories.file_review(assignment, framework)
    undeclared = factories.assign(in_review, secretariat, other_reviewer, declare=False)
    with pytest.raises(TransitionNotAllowed):
        factories.file_review(undeclared, framework)


@pytest.mark.parametrize("who", ["other_reviewer", "researcher", "chair", "secretariat"])
def test_only_the_assigned_reviewer_files(request, assignment, framework, who):
    with pytest.raises(PermissionDenied):
        services.assessment_file(
            actor=request.getfixturevalue(who),
            assignment=assignment,
            answers=factories.answers(framework),
        )


def test_blind_filing_others_are_seen_only_after_filing_ones_own(
    client, in_review, assignment, other_assignment, framework
):
    factories.file_review(other_assignment, framework, benefit="low")
    client.force_login(assignment.reviewer)
    url = reverse("reviews:committee", args=[in_review.pk])
    assert client.get(url).status_code == 403
    factories.file_review(assignment, framework)
    response = client.get(url)
    assert response.status_code == 200
    assert other_assignment.reviewer.username in response.content.decode() or (
        other_assignment.reviewer.get_full_name() in response.content.decode()
    )


def test_a_reviewer_not_assigned_sees_nothing_of_the_committee(
    client, in_review, other_reviewer, assignment
):
    client.force_login(other_reviewer)
    assert client.get(reverse("reviews:committee", args=[in_review.pk])).status_code == 404


@pytest.mark.parametrize("who", ["researcher", "other_researcher", "custodian", "outsider"])
def test_applicants_custodians_and_outsiders_never_see_the_committee(
    client, request, in_review, who
):
    client.force_login(request.getfixturevalue(who))
    assert client.get(reverse("reviews:committee", args=[in_review.pk])).status_code in (403, 404)


def test_risks_are_added_and_removed_only_before_filing(client, assignment, framework):
    client.force_login(assignment.reviewer)
    response = client.post(reverse("reviews:risk-add", args=[assignment.pk]), factories.RISK)
    assert response.status_code == 302
    risk = assignment.assessment.risks.get()
    assert risk.residual_score == 12 and risk.is_significant
    from solidarity.audit.models import AuditEvent

    assert AuditEvent.objects.for_target(assignment).filter(action="risk.add").exists()
    response = client.post(
        reverse("reviews:risk-add", args=[assignment.pk]), {**factories.RISK, "likelihood": 9}
    )
    assert assignment.assessment.risks.count() == 1
    factories.file_review(assignment, framework)
    with pytest.raises(TransitionNotAllowed):
        services.risk_item_remove(actor=assignment.reviewer, risk=risk)
