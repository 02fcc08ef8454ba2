import re

import pytest
from django.core import mail
from django.urls import reverse

from harms import services
from harms.models import HarmMessage

pytestmark = pytest.mark.django_db


def _lookup(client, code, **extra):
    return client.post(reverse("harms:status"), {"code": code}, **extra)


def test_reporter_reads_status_with_the_code(client, report, receipt_code):
    response = _lookup(client, receipt_code.lower().replace("-", " "))
    assert response.status_code == 302
    body = client.get(reverse("harms:status")).content.decode()
    assert report.reference in body
    assert "Received" in body and "What happens next" in body


def _page(response, code):
    """The page without what differs by design: the CSRF token and the echoed code."""
    body = response.content.decode().replace(code, "CODE")
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", body)


def test_a_wrong_code_answers_like_a_missing_one(client, report, receipt_code):
    from .factories import make_report

    gone, gone_code = make_report()
    gone.delete()  # a code that once existed and is now missing
    wrong_code = "AAAA-BBBB-CCCC-DDDD"
    wrong = _lookup(client, wrong_code)
    missing = _lookup(client, gone_code)
    assert wrong.status_code == missing.status_code == 200
    assert "could not find" in wrong.content.decode()
    assert _page(wrong, wrong_code) == _page(missing, gone_code)


def test_status_lookups_are_rate_limited(client, receipt_code, settings):
    settings.HARM_STATUS_RATE = "3/hour"
    for _ in range(3):
        _lookup(client, "AAAA-BBBB-CCCC-DDDD")
    response = _lookup(client, receipt_code)
    assert response.status_code == 429
    assert "Too many attempts" in response.content.decode()


def test_reporter_never_sees_internal_notes(client, report, receipt_code, harm_officer):
    services.harm_message_post(actor=harm_officer, report=report, body="Secret lead", internal=True)
    services.harm_message_post(actor=harm_officer, report=report, body="We are on it")
    _lookup(client, receipt_code)
    body = client.get(reverse("harms:status")).content.decode()
    assert "We are on it" in body and "Secret lead" not in body
    assert harm_officer.username not in body


def test_reporter_writes_to_the_panel_with_the_code(client, report, receipt_code, harm_officer):
    _lookup(client, receipt_code)
    response = client.post(reverse("harms:message", args=[report.pk]), {"message-body": "More"})
    assert response.status_code == 302
    message = HarmMessage.objects.get(report=report)
    assert message.from_reporter and not message.internal


def test_without_the_code_no_one_can_write_on_a_report(client, report, outsider):
    assert (
        client.post(reverse("harms:message", args=[report.pk]), {"message-body": "x"}).status_code
        == 404
    )
    client.force_login(outsider)
    assert (
        client.post(reverse("harms:message", args=[report.pk]), {"message-body": "x"}).status_code
        == 404
    )
    assert not HarmMessage.objects.exists()


def test_forgetting_removes_access_on_this_device(client, report, receipt_code):
    _lookup(client, receipt_code)
    client.post(reverse("harms:status-forget"))
    assert "Receipt code" in client.get(reverse("harms:status")).content.decode()


def test_anonymous_reporter_with_an_email_is_told_of_news_without_the_code(
    report, receipt_code, harm_officer, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.harm_report_triage(actor=harm_officer, report=report, severity="low")
    sent = [m for m in mail.outbox if "dana@example.org" in m.to]
    assert sent
    assert receipt_code not in sent[0].body


def test_signed_in_reporter_sees_own_case_without_internal_notes(client, researcher, harm_officer):
    from .factories import make_report

    report, _ = make_report(actor=researcher)
    services.harm_message_post(
        actor=harm_officer, report=report, body="Internal only", internal=True
    )
    client.force_login(researcher)
    body = client.get(reverse("harms:detail", args=[report.pk])).content.decode()
    assert report.reference in body and "Internal only" not in body


def test_status_page_reads_a_fixed_number_of_queries(
    client, report, receipt_code, harm_officer, researcher, organisation
):
    """The reporter's page reads the report, its thread and its redress: linked projects,
    datasets and officers' notes add no query."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.factories import DatasetFactory

    from .factories import make_application

    _lookup(client, receipt_code)

    def count():
        with CaptureQueriesContext(connection) as ctx:
            body = client.get(reverse("harms:status")).content.decode()
        assert report.reference in body
        return len(ctx.captured_queries)

    before = count()
    services.harm_report_triage(
        actor=harm_officer,
        report=report,
        severity="low",
        applications=[make_application(researcher), make_application(researcher)],
        datasets=[DatasetFactory(custodian=organisation)],
    )
    services.harm_message_post(actor=harm_officer, report=report, body="note", internal=True)
    assert count() == before <= 6
