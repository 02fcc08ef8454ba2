"""Reviewers discuss among themselves only after filing their own assessment (issue 16)."""

import pytest
from django.urls import reverse

from applications import services as app_services
from solidarity.errors import PermissionDenied

from . import factories

SECRET = "Committee discussion: the sample is too small"


def page(client, user, application):
    client.force_login(user)
    return client.get(reverse("applications:detail", args=[application.pk])).content.decode()


def test_a_reviewer_who_has_not_filed_sees_no_discussion(
    client, api_client, in_review, secretariat, assignment, other_assignment, framework
):
    reviewer, other = assignment.reviewer, other_assignment.reviewer
    factories.file_review(other_assignment, framework)
    app_services.message_post(
        actor=other, application=in_review, body=SECRET, visibility="committee"
    )
    app_services.message_post(actor=secretariat, application=in_review, body="Public note")
    seen = page(client, reviewer, in_review)
    assert "Public note" in seen and SECRET not in seen
    api_client.force_authenticate(reviewer)
    listed = api_client.get(f"/api/v1/applications/{in_review.pk}/messages/").json()
    assert [m["body"] for m in listed["results"]] == ["Public note"]
    with pytest.raises(PermissionDenied):
        app_services.message_post(
            actor=reviewer, application=in_review, body="x", visibility="committee"
        )
    # Filing opens the discussion.
    factories.file_review(assignment, framework)
    assert SECRET in page(client, reviewer, in_review)
    app_services.message_post(
        actor=reviewer, application=in_review, body="I agree", visibility="committee"
    )
    assert "I agree" in page(client, other, in_review)


def test_reviewers_never_write_to_the_applicant(in_review, assignment, framework):
    factories.file_review(assignment, framework)
    with pytest.raises(PermissionDenied):
        app_services.message_post(
            actor=assignment.reviewer, application=in_review, body="x", visibility="public"
        )


def test_a_recused_reviewer_reads_nothing(client, in_review, secretariat, reviewer):
    assignment = factories.assign(in_review, secretariat, reviewer, declare=False)
    from reviews import services

    services.coi_declare(
        actor=reviewer, assignment=assignment, has_conflict=True, details="My co-author"
    )
    app_services.message_post(actor=secretariat, application=in_review, body="Public note")
    client.force_login(reviewer)
    response = client.get(reverse("applications:detail", args=[in_review.pk]))
    assert response.status_code == 404 or "Public note" not in response.content.decode()


def test_chair_and_secretariat_always_read_the_discussion(
    client, in_review, secretariat, chair, auditor
):
    app_services.message_post(
        actor=secretariat, application=in_review, body=SECRET, visibility="committee"
    )
    assert SECRET in page(client, chair, in_review)
    assert SECRET in page(client, auditor, in_review)
    with pytest.raises(PermissionDenied):
        app_services.message_post(actor=auditor, application=in_review, body="x")
