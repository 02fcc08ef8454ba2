"""DESIGN §4's decision rules, enforced by the decision service; votes, quorum, the type."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from reviews import services
from reviews.models import Choice, CommitteeFile, ConditionKind
from reviews.selectors import classification_for
from solidarity.audit.models import AuditEvent
from solidarity.errors import DomainError, PermissionDenied, TransitionNotAllowed

from . import factories

EXPIRY = timezone.localdate() + datetime.timedelta(days=365)


def approve(chair, application, reason="Fine."):
    return services.decision_record(
        actor=chair,
        application=application,
        outcome="approved",
        reason=reason,
        access_expires_on=EXPIRY,
    )


def file_both(assignment, other_assignment, framework, **shape):
    risks = shape.pop("risks", ())
    factories.file_review(assignment, framework, risks=risks, **shape)
    factories.file_review(other_assignment, framework, **shape)


def test_type_a_may_be_approved_by_the_chair_alone(
    in_review, assignment, other_assignment, framework, chair
):
    file_both(assignment, other_assignment, framework, benefit="high", safety="high")
    assert classification_for(in_review).computed_type == "A"
    committee = approve(chair, in_review)
    in_review.refresh_from_db()
    assert in_review.state in ("approved", "active")
    assert committee.outcome == "approved" and committee.decided_type == "A"
    event = AuditEvent.objects.filter(action="decision.record").latest("id")
    assert event.actor == chair and event.payload["type"] == "A" and event.to_state == "approved"


def test_type_d_can_never_be_approved(in_review, assignment, other_assignment, framework, chair):
    file_both(assignment, other_assignment, framework, benefit="low", safety="low")
    services.vote_cast(actor=assignment.reviewer, application=in_review, choice="approve")
    services.vote_cast(actor=other_assignment.reviewer, application=in_review, choice="approve")
    with pytest.raises(TransitionNotAllowed, match="Type D"):
        approve(chair, in_review)
    in_review.refresh_from_db()
    assert in_review.state == "in_review"
    services.decision_record(
        actor=chair, application=in_review, outcome="rejected", reason="Type D."
    )
    in_review.refresh_from_db()
    assert in_review.state == "rejected"


def test_overriding_to_d_also_blocks_approval(
    in_review, assignment, other_assignment, framework, chair
):
    file_both(assignment, other_assignment, framework)
    services.classification_set(
        actor=chair, application=in_review, use_type="D", reason="Hidden risks."
    )
    with pytest.raises(TransitionNotAllowed):
        approve(chair, in_review)


def test_type_c_needs_a_condition_per_significant_risk_and_harm_monitoring(
    in_review, assignment, other_assignment, framework, chair, secretariat
):
    file_both(
        assignment,
        other_assignment,
        framework,
        benefit="high",
        safety="low",
        risks=[{}, {"residual_severity": 2}],
    )
    assert classification_for(in_review).computed_type == "C"
    services.vote_cast(
        actor=assignment.reviewer, application=in_review, choice="approve_with_conditions"
    )
    services.vote_cast(actor=other_assignment.reviewer, application=in_review, choice="approve")
    with pytest.raises(TransitionNotAllowed) as excinfo:
        approve(chair, in_review)
    assert "has no approval condition" in excinfo.value.message
    assert "harm-monitoring" in excinfo.value.message
    significant = [r for r in assignment.assessment.risks.all() if r.is_significant]
    assert len(significant) == 1
    services.condition_add(
        actor=chair,
        application=in_review,
        kind=ConditionKind.MITIGATION,
        risk=significant[0],
        text="Aggregate to district level before analysis.",
        due_on=factories.due(60),
    )
    with pytest.raises(TransitionNotAllowed, match="harm-monitoring"):
        approve(chair, in_review)
    services.condition_add(
        actor=secretariat,
        application=in_review,
        kind=ConditionKind.HARM_MONITORING,
        text="Report harms to the panel quarterly.",
        due_on=factories.due(90),
    )
    approve(chair, in_review)
    in_review.refresh_from_db()
    assert in_review.state in ("approved", "active")


def test_type_c_without_a_quorate_vote_is_refused(
    in_review, assignment, other_assignment, framework, chair
):
    file_both(assignment, other_assignment, framework, benefit="high", safety="low")
    services.condition_add(
        actor=chair,
        application=in_review,
        kind="harm_monitoring",
        text="Monitor.",
        due_on=factories.due(),
    )
    with pytest.raises(TransitionNotAllowed, match="not quorate"):
        approve(chair, in_review)


def test_type_b_needs_a_quorum_and_a_majority_in_favour(
    in_review, assignment, other_assignment, framework, chair
):
    file_both(assignment, other_assignment, framework, benefit="low", safety="high")
    assert classification_for(in_review).computed_type == "B"
    services.vote_cast(actor=assignment.reviewer, application=in_review, choice="approve")
    with pytest.raises(TransitionNotAllowed, match="1 of 2"):
        approve(chair, in_review)
    services.vote_cast(actor=other_assignment.reviewer, application=in_review, choice="reject")
    with pytest.raises(TransitionNotAllowed, match="did not vote to approve"):
        approve(chair, in_review)
    services.vote_cast(actor=chair, application=in_review, choice="approve")
    approve(chair, in_review)
    in_review.refresh_from_db()
    assert in_review.state in ("approved", "active")


def test_votes_of_recused_members_do_not_count_towards_the_quorum(
    in_review, assignment, other_assignment, framework, chair
):
    file_both(assignment, other_assignment, framework, benefit="low", safety="high")
    services.vote_cast(actor=assignment.reviewer, application=in_review, choice="approve")
    services.vote_cast(actor=other_assignment.reviewer, application=in_review, choice="approve")
    services.assignment_recuse(
        actor=other_assignment.reviewer, assignment=other_assignment, details="Tie."
    )
    with pytest.raises(TransitionNotAllowed, match="1 of 2"):
        approve(chair, in_review)
    with pytest.raises(PermissionDenied):
        services.vote_cast(actor=other_assignment.reviewer, application=in_review, choice="approve")


def test_the_quorum_is_configurable(
    in_review, assignment, other_assignment, framework, chair, secretariat
):
    file_both(assignment, other_assignment, framework, benefit="low", safety="high")
    services.committee_set_quorum(actor=secretariat, application=in_review, quorum=1)
    services.vote_cast(actor=assignment.reviewer, application=in_review, choice="approve")
    approve(chair, in_review)
    assert AuditEvent.objects.filter(action="committee.quorum").exists()
    with pytest.raises(PermissionDenied):
        services.committee_set_quorum(actor=assignment.reviewer, application=in_review, quorum=3)


def test_default_quorum_comes_from_settings(settings, in_review, chair):
    settings.REVIEW_QUORUM = 4
    services.vote_cast(actor=chair, application=in_review, choice="abstain")
    assert CommitteeFile.objects.get(application=in_review).quorum == 4


def test_mixed_needs_the_chairs_type_with_a_reason(in_review, assignment, framework, chair):
    # Benefit exactly 0: Q2 picks 1 in [-1, 2], Q5 picks 0 in [-1, 2], so 2·(1+2)/6 - 1 = 0;
    # every other benefit question is answered "I don't know" (Q1 weighs 0 either way).
    answers = factories.answers(framework)
    by_external = {
        c.external_id: c.pk for c in Choice.objects.filter(question__group__framework=framework)
    }
    for q in framework.specs():
        if q.axis == "benefit" and q.label not in ("Q1", "Q2", "Q5"):
            answers[q.id] = [next(c.id for c in q.choices if c.kind == "unknown")]
        elif q.label == "Q2":
            answers[q.id] = [by_external["146"]]
        elif q.label == "Q5":
            answers[q.id] = [by_external["123"]]
    services.assessment_file(actor=assignment.reviewer, assignment=assignment, answers=answers)
    result = classification_for(in_review)
    assert (result.mean_benefit, result.computed_type) == (0, "mixed")
    with pytest.raises(TransitionNotAllowed, match="chair must set a type"):
        approve(chair, in_review)
    with pytest.raises(DomainError, match="reason"):
        services.classification_set(actor=chair, application=in_review, use_type="A", reason="")
    services.classification_set(
        actor=chair, application=in_review, use_type="A", reason="Clear public value."
    )
    event = AuditEvent.objects.filter(action="classification.override").latest("id")
    assert event.payload == {"computed": "mixed", "type": "A", "reason": "Clear public value."}
    # The chair's A over a mixed result does not let the chair decide alone: a quorate vote.
    with pytest.raises(TransitionNotAllowed, match="quorate"):
        approve(chair, in_review)
    for member in (assignment.reviewer, chair):
        services.vote_cast(actor=member, application=in_review, choice="approve")
    approve(chair, in_review)
    in_review.refresh_from_db()
    assert in_review.state in ("approved", "active")


def test_confirming_the_computed_type_needs_no_reason(in_review, assignment, framework, chair):
    factories.file_review(assignment, framework)
    services.classification_set(actor=chair, application=in_review, use_type="A", reason="")
    assert not classification_for(in_review).is_overridden


@pytest.mark.parametrize("who", ["secretariat", "reviewer", "researcher", "auditor"])
def test_only_the_chair_decides_and_sets_the_type(request, in_review, assignment, framework, who):
    factories.file_review(assignment, framework)
    user = request.getfixturevalue(who)
    with pytest.raises(PermissionDenied):
        approve(user, in_review)
    with pytest.raises(PermissionDenied):
        services.classification_set(actor=user, application=in_review, use_type="B", reason="x")


def test_a_submission_not_yet_in_review_cannot_be_decided(submitted, chair):
    with pytest.raises(TransitionNotAllowed):
        approve(chair, submitted)


def test_a_decided_application_cannot_be_decided_again(in_review, assignment, framework, chair):
    factories.file_review(assignment, framework)
    approve(chair, in_review)
    with pytest.raises(TransitionNotAllowed):
        services.decision_record(actor=chair, application=in_review, outcome="rejected", reason="x")
    with pytest.raises(TransitionNotAllowed):
        services.vote_cast(actor=chair, application=in_review, choice="reject")


def test_approval_needs_a_future_expiry_and_rejection_a_reason(in_review, chair):
    with pytest.raises(DomainError) as excinfo:
        services.decision_record(actor=chair, application=in_review, outcome="approved", reason="")
    assert "access_expires_on" in excinfo.value.field_errors
    with pytest.raises(DomainError) as excinfo:
        services.decision_record(actor=chair, application=in_review, outcome="rejected", reason="")
    assert "reason" in excinfo.value.field_errors


# ---- votes -------------------------------------------------------------------------------


def test_a_member_votes_and_may_change_the_vote(in_review, assignment):
    services.vote_cast(actor=assignment.reviewer, application=in_review, choice="reject")
    vote = services.vote_cast(actor=assignment.reviewer, application=in_review, choice="approve")
    assert vote.choice == "approve"
    event = AuditEvent.objects.filter(action="vote.cast").latest("id")
    assert event.payload == {
        "voter": assignment.reviewer.username,
        "choice": "approve",
        "changed": True,
        "round": 1,
    }


@pytest.mark.parametrize("who", ["other_reviewer", "researcher", "secretariat", "outsider"])
def test_non_members_cannot_vote(request, in_review, assignment, who):
    with pytest.raises(PermissionDenied):
        services.vote_cast(
            actor=request.getfixturevalue(who), application=in_review, choice="approve"
        )


def test_the_chair_records_a_members_vote_but_a_member_cannot_vote_for_another(
    in_review, assignment, other_assignment, chair
):
    vote = services.vote_cast(
        actor=chair, application=in_review, voter=assignment.reviewer, choice="abstain"
    )
    assert vote.recorded_by == chair and vote.voter == assignment.reviewer
    with pytest.raises(PermissionDenied):
        services.vote_cast(
            actor=other_assignment.reviewer,
            application=in_review,
            voter=assignment.reviewer,
            choice="reject",
        )


# ---- the chair's page --------------------------------------------------------------------


def test_the_chair_decides_through_the_page(client, in_review, assignment, framework, chair):
    factories.file_review(assignment, framework)
    client.force_login(chair)
    page = client.get(reverse("reviews:committee", args=[in_review.pk]))
    assert page.status_code == 200
    response = client.post(
        reverse("reviews:decide", args=[in_review.pk]),
        {
            "decide-outcome": "approved",
            "decide-access_expires_on": EXPIRY.isoformat(),
            "decide-reason": "Good.",
        },
    )
    assert response.status_code == 302
    in_review.refresh_from_db()
    assert in_review.state in ("approved", "active")


def test_a_refused_decision_on_the_page_shows_why_and_changes_nothing(
    client, in_review, assignment, other_assignment, framework, chair
):
    file_both(assignment, other_assignment, framework, benefit="low", safety="low")
    client.force_login(chair)
    response = client.post(
        reverse("reviews:decide", args=[in_review.pk]),
        {
            "decide-outcome": "approved",
            "decide-access_expires_on": EXPIRY.isoformat(),
            "decide-reason": "Good.",
        },
    )
    assert response.status_code == 400
    assert "Type D" in response.content.decode()
    in_review.refresh_from_db()
    assert in_review.state == "in_review"


def test_the_chair_overrides_the_type_on_the_page(client, in_review, assignment, framework, chair):
    factories.file_review(assignment, framework)
    client.force_login(chair)
    url = reverse("reviews:classify", args=[in_review.pk])
    response = client.post(url, {"classify-use_type": "C", "classify-reason": ""})
    assert response.status_code == 400
    assert "reason" in response.content.decode()
    response = client.post(
        url, {"classify-use_type": "C", "classify-reason": "The register shows more risk."}
    )
    assert response.status_code == 302
    assert classification_for(in_review).effective_type == "C"


def test_members_vote_and_the_chair_adds_conditions_through_the_page(
    client, in_review, assignment, framework, chair, secretariat
):
    factories.file_review(assignment, framework, risks=[{}])
    client.force_login(assignment.reviewer)
    response = client.post(
        reverse("reviews:vote", args=[in_review.pk]), {"vote-choice": "approve_with_conditions"}
    )
    assert response.status_code == 302
    client.force_login(chair)
    risk = assignment.assessment.risks.get()
    response = client.post(
        reverse("reviews:condition-add", args=[in_review.pk]),
        {
            "condition-kind": "mitigation",
            "condition-risk": risk.pk,
            "condition-text": "Aggregate before analysis.",
            "condition-due_on": factories.due(30).isoformat(),
        },
    )
    assert response.status_code == 302
    assert in_review.conditions.get().risk == risk
    client.force_login(secretariat)
    response = client.post(reverse("reviews:quorum", args=[in_review.pk]), {"quorum-quorum": "3"})
    assert response.status_code == 302
    assert CommitteeFile.objects.get(application=in_review).quorum == 3
    page = client.get(reverse("reviews:committee", args=[in_review.pk])).content.decode()
    assert "Approve with conditions" in page and "Aggregate before analysis." in page


def test_a_reviewer_cannot_use_the_chairs_actions(client, in_review, assignment, framework):
    factories.file_review(assignment, framework)
    client.force_login(assignment.reviewer)
    response = client.post(
        reverse("reviews:decide", args=[in_review.pk]),
        {"decide-outcome": "rejected", "decide-reason": "No."},
    )
    assert response.status_code == 403
    in_review.refresh_from_db()
    assert in_review.state == "in_review"
