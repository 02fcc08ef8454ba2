from django.urls import reverse

from . import factories


def test_applicant_is_offered_the_self_assessment_on_a_draft(client, researcher, framework):
    application = factories.draft(researcher)
    client.force_login(researcher)
    body = client.get(reverse("applications:detail", args=[application.pk])).content.decode()
    assert reverse("reviews:self-assessment", args=[application.pk]) in body


def test_chair_is_offered_the_committee_view_but_not_the_applicant(
    client, in_review, chair, researcher
):
    committee = reverse("reviews:committee", args=[in_review.pk])
    client.force_login(chair)
    assert (
        committee
        in client.get(reverse("applications:detail", args=[in_review.pk])).content.decode()
    )
    client.force_login(researcher)
    assert (
        committee
        not in client.get(reverse("applications:detail", args=[in_review.pk])).content.decode()
    )


def test_reviewer_sees_the_committee_link_only_after_filing(
    client, assignment, framework, reviewer
):
    url = reverse("applications:detail", args=[assignment.application_id])
    committee = reverse("reviews:committee", args=[assignment.application_id])
    client.force_login(reviewer)
    assert committee not in client.get(url).content.decode()
    factories.file_review(assignment, framework)
    assert committee in client.get(url).content.decode()
