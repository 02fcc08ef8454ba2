"""HTML bulk forms (issue 16): assign one reviewer to several applications from the committee
queue; triage or hand over several harm reports from the harm queue. Each item goes through
its service in its own transaction; the page reports what succeeded and what was refused."""

import datetime
import re

import pytest
from django.utils import timezone

from harms.models import HarmReport
from reviews.models import Assignment
from solidarity.audit.models import AuditEvent
from tests.factories import UserFactory
from tests.harms.factories import make_report
from tests.reviews.factories import assign, in_review, submitted

pytestmark = pytest.mark.django_db


def _due(days=14):
    return (timezone.localdate() + datetime.timedelta(days=days)).isoformat()


def test_queue_offers_checkboxes_and_a_reviewer_choice(client, researcher, secretariat, reviewer):
    application = in_review(researcher, secretariat)
    client.force_login(secretariat)
    body = client.get("/reviews/committee/").content.decode()
    assert f'name="applications" value="{application.pk}" form="bulk-assign"' in body
    select = re.search(r'<select name="bulk-reviewer".*?</select>', body, re.S).group(0)
    # The reviewer choice lists committee members, not applications.
    assert reviewer.username in select or reviewer.get_full_name() in select
    assert application.title not in select


def test_bulk_assign_reports_successes_and_refusals(
    client, researcher, other_researcher, secretariat, reviewer
):
    ok_one = in_review(researcher, secretariat, title="First study")
    ok_two = submitted(researcher, title="Second study")  # accepted into review by the service
    taken = in_review(other_researcher, secretariat, title="Already assigned")
    assign(taken, secretariat, reviewer)  # the same reviewer twice is refused
    client.force_login(secretariat)
    response = client.post(
        "/reviews/committee/assign/",
        {
            "applications": [ok_one.pk, ok_two.pk, taken.pk, 999999],
            "bulk-reviewer": reviewer.pk,
            "bulk-role": "scientific",
            "bulk-due_on": _due(),
        },
    )
    assert response.status_code == 200
    body = response.content.decode()
    done = body.split('class="succeeded"')[1].split("</ul>")[0]
    refused = body.split('class="refused"')[1].split("</ul>")[0]
    assert ok_one.reference in done and ok_two.reference in done
    assert taken.reference in refused and "#999999" in refused
    assigned = Assignment.objects.filter(reviewer=reviewer).values_list("application", flat=True)
    assert set(assigned) == {ok_one.pk, ok_two.pk, taken.pk}
    assert AuditEvent.objects.filter(action="assignment.create").count() == 3


def test_bulk_assign_bad_input_rerenders_with_errors_and_changes_nothing(
    client, researcher, secretariat, reviewer
):
    application = in_review(researcher, secretariat)
    client.force_login(secretariat)
    yesterday = (timezone.localdate() - datetime.timedelta(days=1)).isoformat()
    ok = {"applications": [application.pk], "bulk-reviewer": reviewer.pk}
    ok |= {"bulk-role": "scientific", "bulk-due_on": _due()}
    cases = [
        {**ok, "bulk-due_on": yesterday},
        {**ok, "bulk-reviewer": researcher.pk},  # not a committee member
        {k: v for k, v in ok.items() if k != "applications"},
        {**ok, "applications": ["x", "-1"], "bulk-role": "nope", "bulk-due_on": "soon"},
    ]
    for data in cases:
        response = client.post("/reviews/committee/assign/", data)
        assert response.status_code == 400, data
        assert 'class="error"' in response.content.decode()
    assert not Assignment.objects.exists()


def test_bulk_assign_is_refused_to_others(client, researcher, secretariat, reviewer, outsider):
    application = in_review(researcher, secretariat)
    data = {
        "applications": [application.pk],
        "bulk-reviewer": reviewer.pk,
        "bulk-role": "scientific",
        "bulk-due_on": _due(),
    }
    for user in (researcher, reviewer, outsider):
        client.force_login(user)
        assert client.post("/reviews/committee/assign/", data).status_code == 403
    client.logout()
    assert client.post("/reviews/committee/assign/", data).status_code == 302
    assert not Assignment.objects.exists()


def test_bulk_harm_triage_from_the_queue(client, harm_officer):
    from harms import services

    a, b, c = (make_report()[0] for _ in range(3))
    services.harm_report_triage(actor=harm_officer, report=b, severity="low")
    client.force_login(harm_officer)
    body = client.get("/harms/queue/").content.decode()
    assert f'name="reports" value="{a.pk}" form="bulk-reports"' in body
    response = client.post(
        "/harms/queue/bulk/",
        {"reports": [a.pk, b.pk, c.pk], "bulk-action": "triage", "bulk-severity": "severe"},
    )
    assert response.status_code == 200
    body = response.content.decode()
    done = body.split('class="succeeded"')[1].split("</ul>")[0]
    refused = body.split('class="refused"')[1].split("</ul>")[0]
    assert a.reference in done and c.reference in done and b.reference in refused
    severities = dict(HarmReport.objects.values_list("pk", "severity"))
    assert severities[a.pk] == severities[c.pk] == "severe" and severities[b.pk] == "low"


def test_bulk_harm_handover_and_bad_input(client, harm_officer):
    colleague = UserFactory(username="hugo", roles=["harm_officer"])
    a, b = (make_report()[0] for _ in range(2))
    client.force_login(harm_officer)
    missing = client.post("/harms/queue/bulk/", {"reports": [a.pk], "bulk-action": "assign_owner"})
    assert missing.status_code == 400 and 'class="error"' in missing.content.decode()
    none = client.post("/harms/queue/bulk/", {"bulk-action": "triage", "bulk-severity": "low"})
    assert none.status_code == 400
    assert not HarmReport.objects.exclude(owner=None).exists()
    done = client.post(
        "/harms/queue/bulk/",
        {"reports": [a.pk, b.pk], "bulk-action": "assign_owner", "bulk-owner": colleague.pk},
    )
    assert done.status_code == 200
    assert set(HarmReport.objects.values_list("owner", flat=True)) == {colleague.pk}


def test_bulk_harm_is_refused_to_others(client, auditor, researcher, outsider):
    report, _code = make_report()
    data = {"reports": [report.pk], "bulk-action": "triage", "bulk-severity": "low"}
    for user in (auditor, researcher, outsider):
        client.force_login(user)
        assert client.post("/harms/queue/bulk/", data).status_code == 403
    client.force_login(auditor)
    assert 'form="bulk-reports"' not in client.get("/harms/queue/").content.decode()
    report.refresh_from_db()
    assert report.state == "received"
