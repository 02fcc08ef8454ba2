"""What each row of the committee queue, the reviewer's assignments and the conditions shows
(the rows are written once per page by the views)."""

from django.urls import reverse
from django.utils.formats import date_format

from reviews import services

from . import factories


def test_committee_queue_rows(client, in_review, secretariat, chair, reviewer, other_reviewer):
    factories.assign(in_review, secretariat, reviewer)
    recused = factories.assign(in_review, secretariat, other_reviewer, role="lay")
    services.assignment_recuse(actor=other_reviewer, assignment=recused, details="My colleague.")
    committee = reverse("reviews:committee", args=[in_review.pk])
    assign = reverse("reviews:assign", args=[in_review.pk])
    for user in (chair, secretariat):
        client.force_login(user)
        body = client.get(reverse("reviews:queue")).content.decode()
        assert f"<td>{in_review.reference}: {in_review.title}</td>" in body
        assert "<td>In review</td>" in body
        assert "<td>2 (1 recused)</td>" in body
        assert f'<a href="{committee}">Committee view</a> · <a href="{assign}">' in body
        assert f'aria-label="Select {in_review.reference}"' in body


def test_my_assignment_rows(client, assignment, reviewer):
    client.force_login(reviewer)
    body = client.get(reverse("reviews:assignments")).content.decode()
    link = reverse("reviews:assignment", args=[assignment.pk])
    application = assignment.application
    assert f'<a href="{link}">{application.reference}: {application.title}</a>' in body
    assert f"<td>{assignment.get_role_display()}</td>" in body
    assert f"<td>{date_format(assignment.due_on, 'DATE_FORMAT')}</td>" in body
    assert f"<td>{assignment.get_state_display()}</td>" in body


def test_condition_rows(client, in_review, chair, secretariat, researcher):
    text = "Publish the code <and> the data " + "x" * 80
    condition = services.condition_add(
        actor=chair, application=in_review, text=text, due_on=factories.due(30)
    )
    client.force_login(secretariat)
    body = client.get(reverse("reviews:conditions")).content.decode()
    link = reverse("reviews:condition", args=[condition.pk])
    assert f'<a href="{link}">Publish the code &lt;and&gt; the data {"x" * 47}…</a>' in body
    owner = researcher.get_full_name() or researcher.username
    assert f"<td>{owner}</td>" in body
    assert f"<td>{date_format(condition.due_on, 'DATE_FORMAT')}</td>" in body
    assert "<td>Open" in body
