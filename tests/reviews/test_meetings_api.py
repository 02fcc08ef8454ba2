"""The meetings API (issue 16): schedule, agenda add/remove, attendance, minutes, decisions
taken at a meeting; refusals and bad input; fixed query count of the list."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from reviews.meeting_models import AgendaItem, Meeting
from reviews.models import CommitteeFile
from solidarity.audit.models import AuditEvent

URL = "/api/v1/meetings/"


def _schedule(api_client, *, hours_ago=1, title="March sitting"):
    when = timezone.now() - datetime.timedelta(hours=hours_ago)
    return api_client.post(
        URL, {"title": title, "starts_at": when.isoformat(), "location": "Room 2"}, format="json"
    )


@pytest.fixture
def meeting(api_client, secretariat):
    api_client.force_login(secretariat)
    response = _schedule(api_client)
    assert response.status_code == 201, response.content
    return Meeting.objects.get(pk=response.json()["id"])


def test_a_whole_meeting_through_the_api(
    api_client, secretariat, chair, reviewer, in_review, meeting
):
    url = f"{URL}{meeting.pk}/"
    assert AuditEvent.objects.filter(action="meeting.schedule").count() == 1
    added = api_client.post(url + "agenda/", {"application": in_review.pk}, format="json")
    assert added.status_code == 201, added.content
    agenda = added.json()["agenda"]
    assert [i["application_reference"] for i in agenda] == [in_review.reference]
    twice = api_client.post(url + "agenda/", {"application": in_review.pk}, format="json")
    assert twice.status_code == 409
    attendance = api_client.post(
        url + "attendance/", {"present": [chair.pk, reviewer.pk], "absent": []}, format="json"
    )
    assert attendance.status_code == 200, attendance.content
    assert {a["member_username"] for a in attendance.json()["attendance"]} == {
        chair.username,
        reviewer.username,
    }
    minutes = api_client.post(url + "minutes/", {"minutes": "Approved."}, format="json")
    assert minutes.status_code == 200 and minutes.json()["state"] == "held"
    item_id = agenda[0]["id"]
    # The decision is referenced once the committee has decided.
    assert api_client.post(url + f"agenda/{item_id}/decision/").status_code == 409
    decision = CommitteeFile.objects.create(
        application=in_review,
        quorum=1,
        outcome="approved",
        decided_by=chair,
        decided_at=timezone.now(),
    )
    linked = api_client.post(url + f"agenda/{item_id}/decision/")
    assert linked.status_code == 200
    assert linked.json()["agenda"][0]["decision"] == decision.pk
    assert linked.json()["agenda"][0]["decision_outcome"] == "approved"
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"meeting.agenda_add", "meeting.attendance", "meeting.minutes"} <= actions
    assert "meeting.decision_link" in actions
    listed = api_client.get(URL).json()["results"]
    assert listed[0]["id"] == meeting.pk and listed[0]["item_count"] == 1


def test_agenda_remove_and_cancel(api_client, in_review, meeting):
    url = f"{URL}{meeting.pk}/"
    # A future meeting to cancel; the fixture's to take items off.
    api_client.post(url + "agenda/", {"application": in_review.pk}, format="json")
    item = AgendaItem.objects.get(meeting=meeting)
    removed = api_client.delete(url + f"agenda/{item.pk}/")
    assert removed.status_code == 200 and removed.json()["agenda"] == []
    assert api_client.delete(url + "agenda/999999/").status_code == 404
    assert api_client.post(url + "cancel/", {"reason": ""}, format="json").status_code == 400
    cancelled = api_client.post(url + "cancel/", {"reason": "No quorum."}, format="json")
    assert cancelled.status_code == 200 and cancelled.json()["state"] == "cancelled"
    again = api_client.post(url + "agenda/", {"application": in_review.pk}, format="json")
    assert again.status_code == 409


def test_bad_input_is_400_with_field_messages_and_saves_nothing(
    api_client, secretariat, researcher, other_researcher, in_review, meeting
):
    from tests.applications.factories import draft

    url = f"{URL}{meeting.pk}/"
    bad = api_client.post(URL, {"title": "", "starts_at": "soon"}, format="json")
    assert bad.status_code == 400
    fields = bad.json()["error"]["fields"]
    assert "title" in fields and "starts_at" in fields
    hidden = draft(other_researcher)  # a draft the secretariat may not see
    for payload in ({"application": "x"}, {"application": hidden.pk}, {"application": 999999}):
        response = api_client.post(url + "agenda/", payload, format="json")
        assert response.status_code == 400, payload
        assert "application" in response.json()["error"]["fields"]
    outsider_member = api_client.post(
        url + "attendance/", {"present": [researcher.pk]}, format="json"
    )
    assert outsider_member.status_code == 400
    assert (
        api_client.post(url + "attendance/", {"present": ["a"]}, format="json").status_code == 400
    )
    assert api_client.post(url + "minutes/", {"minutes": ""}, format="json").status_code == 400
    assert Meeting.objects.count() == 1 and not AgendaItem.objects.exists()


def test_readers_read_and_others_are_refused(
    api_client, meeting, reviewer, auditor, researcher, outsider, harm_officer
):
    for user in (reviewer, auditor):
        api_client.force_login(user)
        assert api_client.get(URL).status_code == 200
        assert api_client.get(f"{URL}{meeting.pk}/").status_code == 200
        # Reading is not writing.
        assert _schedule(api_client).status_code == 403
        assert (
            api_client.post(
                f"{URL}{meeting.pk}/minutes/", {"minutes": "x"}, format="json"
            ).status_code
            == 403
        )
    for user in (researcher, outsider, harm_officer):
        api_client.force_login(user)
        assert api_client.get(URL).status_code == 403
        assert api_client.get(f"{URL}{meeting.pk}/").status_code == 403
    api_client.logout()
    assert api_client.get(URL).status_code in (401, 403)
    assert Meeting.objects.count() == 1


def test_meeting_list_runs_a_fixed_number_of_queries(api_client, secretariat):
    api_client.force_login(secretariat)

    def count():
        api_client.get(URL)
        with CaptureQueriesContext(connection) as ctx:
            assert api_client.get(URL).status_code == 200
        return len(ctx.captured_queries)

    _schedule(api_client)
    before = count()
    for i in range(5):
        _schedule(api_client, title=f"Sitting {i}")
    assert count() == before
