"""Committee meetings through the HTML pages: schedule, agenda, attendance, minutes, PDF."""

import datetime
import io

import pytest
from django.utils import timezone
from pypdf import PdfReader

from reviews.meeting_models import AgendaItem, Attendance, Meeting
from reviews.models import CommitteeFile
from solidarity.audit.models import AuditEvent


def _schedule(client, *, when=None, title="March sitting"):
    when = when or timezone.now() - datetime.timedelta(hours=1)
    return client.post(
        "/reviews/meetings/",
        {"title": title, "starts_at": when.strftime("%Y-%m-%dT%H:%M"), "location": "Room 2"},
    )


@pytest.fixture
def meeting(client, secretariat):
    client.force_login(secretariat)
    response = _schedule(client)
    assert response.status_code == 302, response.content
    return Meeting.objects.get()


def test_secretariat_schedules_a_meeting_audited(client, secretariat):
    client.force_login(secretariat)
    response = _schedule(client)
    meeting = Meeting.objects.get()
    assert response["Location"] == f"/reviews/meetings/{meeting.pk}/"
    assert meeting.state == "scheduled" and meeting.created_by == secretariat
    event = AuditEvent.objects.get(action="meeting.schedule")
    assert event.actor == secretariat and event.to_state == "scheduled"


def test_bad_schedule_input_saves_nothing(client, secretariat):
    client.force_login(secretariat)
    response = client.post("/reviews/meetings/", {"title": "", "starts_at": "not a date"})
    assert response.status_code == 200
    assert not Meeting.objects.exists()


def test_agenda_attendance_minutes_and_decision(
    client, secretariat, chair, reviewer, researcher, in_review, meeting
):
    url = f"/reviews/meetings/{meeting.pk}/"
    assert client.post(url + "agenda/", {"application": in_review.reference}).status_code == 302
    item = AgendaItem.objects.get(meeting=meeting)
    assert item.application == in_review and item.position == 1
    # Twice is refused, nothing added.
    client.post(url + "agenda/", {"application": in_review.reference})
    assert AgendaItem.objects.filter(meeting=meeting).count() == 1
    # An unknown reference is refused.
    client.post(url + "agenda/", {"application": "DSA-0000-9999"})
    assert AgendaItem.objects.filter(meeting=meeting).count() == 1

    response = client.post(
        url + "attendance/", {"present": [chair.pk, reviewer.pk], "apologies": [secretariat.pk]}
    )
    assert response.status_code == 302
    assert {(a.member_id, a.present) for a in Attendance.objects.filter(meeting=meeting)} == {
        (chair.pk, True),
        (reviewer.pk, True),
        (secretariat.pk, False),
    }
    # A non-member (the applicant) cannot be recorded as attending.
    client.post(url + "attendance/", {"present": [researcher.pk]})
    assert not Attendance.objects.filter(member=researcher).exists()

    assert client.post(url + "minutes/", {"minutes": "Approved after discussion."}).status_code
    meeting.refresh_from_db()
    assert meeting.state == "held" and meeting.minutes == "Approved after discussion."

    # Linking a decision before the committee decided is refused.
    client.post(url + f"agenda/{item.pk}/decision/")
    item.refresh_from_db()
    assert item.decision is None
    decision = CommitteeFile.objects.create(
        application=in_review,
        quorum=1,
        outcome="approved",
        decided_by=chair,
        decided_at=timezone.now(),
    )
    client.post(url + f"agenda/{item.pk}/decision/")
    item.refresh_from_db()
    assert item.decision == decision

    page = client.get(url).content.decode()
    assert in_review.reference in page and "Decided here" in page
    actions = set(
        AuditEvent.objects.filter(action__startswith="meeting.").values_list("action", flat=True)
    )
    assert actions == {
        "meeting.schedule",
        "meeting.agenda_add",
        "meeting.attendance",
        "meeting.minutes",
        "meeting.decision_link",
    }


def test_minutes_refused_before_the_meeting_begins(client, secretariat):
    client.force_login(secretariat)
    _schedule(client, when=timezone.now() + datetime.timedelta(days=3))
    meeting = Meeting.objects.get()
    client.post(f"/reviews/meetings/{meeting.pk}/minutes/", {"minutes": "Too early"})
    meeting.refresh_from_db()
    assert meeting.state == "scheduled" and meeting.minutes == ""


def test_cancelled_meeting_takes_no_agenda(client, secretariat, in_review, meeting):
    url = f"/reviews/meetings/{meeting.pk}/"
    client.post(url + "cancel/", {"reason": "No quorum"})
    meeting.refresh_from_db()
    assert meeting.state == "cancelled"
    client.post(url + "agenda/", {"application": in_review.reference})
    assert not AgendaItem.objects.exists()
    assert AuditEvent.objects.get(action="meeting.cancel").payload == {"reason": "No quorum"}


def test_a_draft_cannot_go_on_the_agenda(client, researcher, meeting, framework):
    from .factories import draft

    application = draft(researcher)
    client.post(
        f"/reviews/meetings/{meeting.pk}/agenda/", {"application": application.reference or "x"}
    )
    assert not AgendaItem.objects.exists()


def test_chair_may_manage_too(client, chair):
    client.force_login(chair)
    assert _schedule(client).status_code == 302


@pytest.mark.parametrize("who", ["reviewer", "auditor"])
def test_members_and_auditors_read_but_cannot_write(
    request, client, who, meeting, in_review, secretariat
):
    client.force_login(request.getfixturevalue(who))
    url = f"/reviews/meetings/{meeting.pk}/"
    assert client.get("/reviews/meetings/").status_code == 200
    page = client.get(url)
    assert page.status_code == 200
    assert b"Save the minutes" not in page.content
    assert client.get(url + "pdf/").status_code == 200
    assert _schedule(client).status_code == 403
    assert client.post(url + "agenda/", {"application": in_review.reference}).status_code == 403
    assert client.post(url + "minutes/", {"minutes": "x"}).status_code == 403
    assert client.post(url + "cancel/", {"reason": "x"}).status_code == 403
    assert client.post(url + "attendance/", {"present": [secretariat.pk]}).status_code == 403
    assert Meeting.objects.count() == 1 and not AgendaItem.objects.exists()


@pytest.mark.parametrize("who", ["researcher", "outsider", "harm_officer", "custodian"])
def test_other_roles_see_no_meeting(request, client, who, meeting):
    client.force_login(request.getfixturevalue(who))
    url = f"/reviews/meetings/{meeting.pk}/"
    assert client.get("/reviews/meetings/").status_code == 403
    assert client.get(url).status_code == 403
    assert client.get(url + "pdf/").status_code == 403


def test_agenda_and_minutes_pdf(client, secretariat, in_review, meeting):
    url = f"/reviews/meetings/{meeting.pk}/"
    client.post(url + "agenda/", {"application": in_review.reference})
    client.post(url + "minutes/", {"minutes": "The committee met."})
    response = client.get(url + "pdf/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert in_review.reference in text and "The committee met." in text
    assert "meeting.json" in reader.attachments


def test_meeting_pages_have_fixed_query_counts(
    client, secretariat, chair, reviewer, researcher, framework, django_assert_num_queries
):
    from reviews import meetings

    from .factories import in_review

    client.force_login(reviewer)
    when = timezone.now() - datetime.timedelta(hours=1)

    def build(n):
        m = meetings.meeting_schedule(actor=secretariat, title=f"M{n}", starts_at=when)
        for _ in range(n):
            meetings.meeting_add_item(
                actor=secretariat, meeting=m, application=in_review(researcher, secretariat)
            )
        meetings.meeting_record_attendance(
            actor=secretariat, meeting=m, present_ids=[chair.pk, reviewer.pk][: min(n, 2)]
        )
        return m

    small = build(1)
    client.get("/reviews/meetings/")
    # The session and the unread badge come from the cache (solidarity/held_cache.py).
    with django_assert_num_queries(5) as few:
        client.get(f"/reviews/meetings/{small.pk}/")
    big = build(4)
    with django_assert_num_queries(len(few.captured_queries)):
        client.get(f"/reviews/meetings/{big.pk}/")
    with django_assert_num_queries(4) as listing:
        client.get("/reviews/meetings/")
    build(2)
    with django_assert_num_queries(len(listing.captured_queries)):
        client.get("/reviews/meetings/")
