"""A broker that is down delays work, never loses it, and never fails the request."""

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from harms.models import HarmReport
from solidarity.auditing.models import ReportJob
from solidarity.notifications.models import Notification
from solidarity.notifications.tasks import retry_undelivered_email

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _client(user=None):
    client = Client(raise_request_exception=False)
    if user:
        client.force_login(user)
    return client


def test_report_request_with_the_broker_down_is_queued_then_built(auditor, broker, media):
    client = _client(auditor)
    today = timezone.localdate().isoformat()
    broker.down()
    response = client.post(
        reverse("auditing:reports"), {"kind": "audit_extract", "start": today, "end": today}
    )
    assert response.status_code == 302
    job = ReportJob.objects.get()
    assert job.state == "queued" and job.enqueued_at is None
    assert client.get(response.url).status_code == 200
    from solidarity.auditing.tasks import recover_report_jobs

    # Recovery while the broker is still down changes nothing and fails nothing.
    assert recover_report_jobs.apply().get() == {"queued": 1, "expired": 0}
    job.refresh_from_db()
    assert job.state == "queued"

    broker.back()
    recover_report_jobs.apply()
    job.refresh_from_db()
    assert job.state == "done"
    assert client.get(reverse("auditing:report-download", args=[job.pk])).status_code == 200


def test_news_for_an_anonymous_reporter_survives_the_broker_being_down(
    harm_officer, broker, settings
):
    settings.NOTIFICATION_RETRY_AFTER_SECONDS = 0
    broker.down()
    created = _client().post(
        "/api/v1/harm-reports/",
        {
            "what_happened": "My records were shown to my employer.",
            "occurred_when": "2026-02",
            "affected": "self",
            "categories": ["privacy_breach"],
            "contact_email": "eve@example.org",
        },
        content_type="application/json",
    )
    assert created.status_code == 201
    report = HarmReport.objects.get()
    mail.outbox.clear()
    acknowledged = _client(harm_officer).post(
        reverse("harms:action", args=[report.pk, "acknowledge"]),
        {"acknowledge-message": "We have your report and will look at it this week."},
    )
    assert acknowledged.status_code == 302
    assert mail.outbox == []
    waiting = Notification.objects.get(address_key=f"harm_reporter:{report.pk}")
    assert waiting.email_state == "pending" and waiting.recipient is None

    broker.back()
    retry_undelivered_email.apply()
    to_reporter = [m for m in mail.outbox if m.to == ["eve@example.org"]]
    assert len(to_reporter) == 1
    assert report.reference in to_reporter[0].subject
    waiting.refresh_from_db()
    assert waiting.email_state == "sent"
    # Delivered once: another retry sends nothing more.
    retry_undelivered_email.apply()
    assert len([m for m in mail.outbox if m.to == ["eve@example.org"]]) == 1
