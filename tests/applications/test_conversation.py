"""The conversation on an application: public and committee-only messages, the revision
request and its answer, mentions, attachments, the API (issue 16; issue 13's reply field)."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from applications import services
from applications.conversation import Message, MessageKind
from solidarity.audit.models import AuditEvent
from solidarity.errors import DomainError, PermissionDenied
from solidarity.notifications.models import Notification

from . import factories

SECRET = "Committee-only remark about the budget"


def join(application, applicant, user, role="editor"):
    _member, token = services.application_member_invite(
        actor=applicant, application=application, email=user.email, role=role
    )
    services.application_member_accept(actor=user, token=token)


@pytest.fixture
def revision(researcher, secretariat, submitted):
    return services.application_request_revision(
        actor=secretariat, application=submitted, message="Please attach the DPIA."
    )


def test_the_revision_request_is_in_the_thread_and_the_team_answers_it(
    client, researcher, other_researcher, secretariat, revision
):
    join(revision, researcher, other_researcher)
    request = Message.objects.get(application=revision)
    assert (request.kind, request.visibility) == (MessageKind.REVISION_REQUEST, "public")
    client.force_login(other_researcher)
    page = client.get(reverse("applications:detail", args=[revision.pk])).content.decode()
    assert "Please attach the DPIA." in page and "data-answer-form" in page
    response = client.post(
        reverse("applications:message-post", args=[revision.pk]),
        {"answer": "1", "answer-body": "The DPIA is attached now."},
    )
    assert response.status_code == 302
    answer = Message.objects.get(kind=MessageKind.REVISION_ANSWER)
    assert (answer.reply_to, answer.version, answer.author) == (request, 1, other_researcher)
    # Answering is not required to resubmit; the committee sees it beside version 2.
    services.application_submit(actor=researcher, application=revision)
    client.force_login(secretariat)
    page = client.get(reverse("applications:detail", args=[revision.pk])).content.decode()
    versions = page.split('id="versions-heading"')[1].split("</section>")[0]
    assert "Version 2" in versions and "The DPIA is attached now." in versions
    listing = client.get(reverse("applications:versions", args=[revision.pk])).content.decode()
    assert listing.count("data-revision-answer") == 1 and "The DPIA is attached now." in listing
    assert Notification.objects.filter(
        recipient=secretariat, subject__contains="answered the revision request"
    ).exists()
    assert AuditEvent.objects.filter(action="application.message_post").count() == 1


def test_resubmitting_without_an_answer_is_allowed(researcher, revision):
    services.application_submit(actor=researcher, application=revision)
    revision.refresh_from_db()
    assert revision.current_version == 2


def test_an_answer_needs_a_pending_revision_request(researcher, submitted):
    with pytest.raises(PermissionDenied):
        services.message_post(
            actor=researcher, application=submitted, body="An answer", answer=True
        )


def test_a_viewer_reads_but_does_not_answer(client, researcher, other_researcher, revision):
    join(revision, researcher, other_researcher, role="viewer")
    with pytest.raises(PermissionDenied):
        services.message_post(actor=other_researcher, application=revision, body="x", answer=True)
    client.force_login(other_researcher)
    page = client.get(reverse("applications:detail", args=[revision.pk])).content.decode()
    assert "Please attach the DPIA." in page and "data-answer-form" not in page
    url = reverse("applications:message-post", args=[revision.pk])
    assert client.post(url, {"answer": "1", "answer-body": "x"}).status_code == 403


def test_the_applicant_never_sees_committee_only_messages(
    client, api_client, researcher, other_researcher, secretariat, submitted
):
    join(submitted, researcher, other_researcher)
    services.message_post(
        actor=secretariat, application=submitted, body=SECRET, visibility="committee"
    )
    services.message_post(actor=secretariat, application=submitted, body="Public question")
    for user in (researcher, other_researcher):
        client.force_login(user)
        page = client.get(reverse("applications:detail", args=[submitted.pk])).content.decode()
        assert "Public question" in page and SECRET not in page
        api_client.force_authenticate(user)
        body = api_client.get(f"/api/v1/applications/{submitted.pk}/messages/").json()
        assert [m["body"] for m in body["results"]] == ["Public question"]
    with pytest.raises(PermissionDenied):
        services.message_post(
            actor=researcher, application=submitted, body="x", visibility="committee"
        )
    response = api_client.post(
        f"/api/v1/applications/{submitted.pk}/messages/",
        {"body": "x", "visibility": "committee"},
        format="json",
    )
    assert response.status_code == 403
    # The committee reads both; the applicant's team was told of the public one only.
    client.force_login(secretariat)
    page = client.get(reverse("applications:detail", args=[submitted.pk])).content.decode()
    assert SECRET in page
    subjects = list(
        Notification.objects.filter(recipient=other_researcher).values_list("subject", flat=True)
    )
    assert sum("New message from the committee" in s for s in subjects) == 1


@pytest.mark.parametrize("who", ["outsider", "custodian", "harm_officer"])
def test_people_outside_see_no_conversation(
    request, client, api_client, secretariat, submitted, who
):
    services.message_post(actor=secretariat, application=submitted, body="Public question")
    user = request.getfixturevalue(who)
    client.force_login(user)
    response = client.get(reverse("applications:detail", args=[submitted.pk]))
    assert response.status_code == 404 or "Public question" not in response.content.decode()
    api_client.force_authenticate(user)
    assert api_client.get(f"/api/v1/applications/{submitted.pk}/messages/").status_code in (
        403,
        404,
    )
    with pytest.raises((PermissionDenied, DomainError)):
        services.message_post(actor=user, application=submitted, body="x")


def test_mentions_notify_only_those_who_may_read(researcher, secretariat, chair, submitted):
    services.message_post(
        actor=secretariat,
        application=submitted,
        body=f"@{researcher.username} and @{chair.username}: budget?",
        visibility="committee",
    )
    assert Notification.objects.filter(recipient=chair, subject__contains="mentioned").exists()
    assert (
        not Notification.objects.filter(recipient=researcher)
        .exclude(subject__startswith="New submission")
        .filter(subject__contains="mentioned")
        .exists()
    )
    services.message_post(
        actor=secretariat, application=submitted, body=f"@{researcher.username} please reply"
    )
    assert Notification.objects.filter(recipient=researcher, subject__contains="mentioned").exists()


def test_bad_messages_re_render_with_field_errors(client, researcher, submitted):
    client.force_login(researcher)
    url = reverse("applications:message-post", args=[submitted.pk])
    empty = client.post(url, {"message-body": "  ", "message-visibility": "public"})
    assert empty.status_code == 400
    exe = SimpleUploadedFile("tool.pdf", b"MZ\x90\x00binary", content_type="application/pdf")
    bad = client.post(
        url, {"message-body": "See file", "message-visibility": "public", "message-file": exe}
    )
    assert bad.status_code == 400 and "error" in bad.content.decode()
    assert not Message.objects.exists()


def test_attachments_are_served_only_to_readers(client, researcher, secretariat, submitted):
    message = services.message_post(
        actor=secretariat,
        application=submitted,
        body=SECRET,
        visibility="committee",
        files=[factories.pdf_upload("minutes.pdf")],
    )
    attachment = message.attachments.get()
    assert len(attachment.sha256) == 64
    url = reverse("applications:message-attachment", args=[submitted.pk, message.pk, attachment.pk])
    client.force_login(secretariat)
    assert client.get(url).status_code == 200
    client.force_login(researcher)
    assert client.get(url).status_code == 404


def test_api_posts_and_lists_with_field_errors(api_client, researcher, submitted):
    api_client.force_authenticate(researcher)
    url = f"/api/v1/applications/{submitted.pk}/messages/"
    bad = api_client.post(url, {"body": ""}, format="json")
    assert bad.status_code == 400 and "body" in str(bad.json())
    created = api_client.post(url, {"body": "A question from the team"}, format="json")
    assert created.status_code == 201 and created.json()["visibility"] == "public"
    assert api_client.get(url).json()["count"] == 1


def test_the_thread_keeps_a_fixed_number_of_queries(client, secretariat, submitted):
    client.force_login(secretariat)
    url = reverse("applications:detail", args=[submitted.pk])

    def post(n):
        for i in range(n):
            services.message_post(
                actor=secretariat,
                application=submitted,
                body=f"Note {i}",
                visibility="committee" if i % 2 else "public",
                files=[factories.pdf_upload(f"n{i}.pdf")],
            )

    post(1)
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    post(6)
    with CaptureQueriesContext(connection) as many:
        page = client.get(url)
    assert page.content.decode().count("data-message ") == 7
    assert len(many.captured_queries) == len(few.captured_queries)


def test_a_note_on_a_draft_stays_with_the_team(researcher, other_researcher, secretariat, draft):
    join(draft, researcher, other_researcher)
    services.message_post(actor=researcher, application=draft, body="Who writes the aims?")
    assert not Notification.objects.filter(recipient=secretariat).exists()
    assert (
        Notification.objects.filter(
            recipient=other_researcher, subject__contains="New message"
        ).exists()
        is False
    )
