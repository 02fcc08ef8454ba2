"""The reports that read across the apps: content checks on the PDF text and its data."""

import io
import json

import pytest
from django.utils import timezone
from pypdf import PdfReader

from benefits.services import fund_receive
from reviews import services as review_services
from solidarity.auditing.models import ReportJob
from solidarity.auditing.services import report_request
from tests.factories import DatasetFactory
from tests.harms.factories import make_application, make_report
from tests.reviews import factories as review_factories


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _build(actor, kind, params, capture):
    with capture(execute=True):
        job = report_request(actor=actor, kind=kind, params=params)
    job = ReportJob.objects.get(pk=job.pk)
    assert job.state == "done", job.error
    reader = PdfReader(io.BytesIO(job.file.read()))
    text = " ".join(" ".join(p.extract_text() for p in reader.pages).split())
    return text, json.loads(reader.attachments["report-data.json"][0])


def _today():
    today = timezone.localdate().isoformat()
    return {"start": today, "end": today}


def test_dossier_holds_the_whole_record(
    auditor,
    researcher,
    secretariat,
    reviewer,
    other_reviewer,
    organisation,
    django_capture_on_commit_callbacks,
):
    framework = review_services.framework_loaded(review_services.framework_ensure_default().pk)
    dataset = DatasetFactory(custodian=organisation, title="Diabetes records")
    app = review_factories.in_review(researcher, secretariat, datasets=[dataset])
    first = review_factories.assign(app, secretariat, reviewer)
    review_factories.file_review(first, framework, risks=[{}])
    review_factories.assign(app, secretariat, other_reviewer, declare=False)
    text, data = _build(
        auditor, "dossier", {"application": app.reference}, django_capture_on_commit_callbacks
    )
    assert app.reference in text
    assert "Heat waves and diabetes" in text
    assert "identification of patients in small towns" in text  # the filed risk register
    assert str(reviewer) in text
    assert "Diabetes records" in text and "Vienna General Hospital" in text
    assert "application.submit" in text
    assert "The audit chain is intact" in text
    assert data["application"]["reference"] == app.reference
    assert [v["number"] for v in data["versions"]] == [1]
    assert len(data["review"]["reviewers"]) == 2
    assert data["verification"]["ok"] is True


def test_dossier_of_an_unknown_reference_fails_cleanly(auditor, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        job = report_request(actor=auditor, kind="dossier", params={"application": "DSA-1999-9999"})
    job.refresh_from_db()
    assert job.state == "failed"
    assert "DSA-1999-9999" in job.error
    from solidarity.audit.models import AuditEvent

    assert list(AuditEvent.objects.for_target(job).values_list("action", flat=True)) == [
        "report.request",
        "report.start",
        "report.fail",
    ]


def test_harm_register_never_names_the_reporter(
    auditor, harm_officer, researcher, django_capture_on_commit_callbacks
):
    app = make_application(researcher, reference="DSA-2026-0420")
    make_report(
        actor=None,
        application=app,
        categories=["discrimination"],
        contact={"name": "Paula Private", "email": "paula@example.org"},
    )
    for who in (auditor, harm_officer):
        text, data = _build(who, "harm_register", _today(), django_capture_on_commit_callbacks)
        assert "DSA-2026-0420" in text
        assert "Discrimination" in text
        assert "Paula" not in text and "paula@example.org" not in text
        assert "Paula" not in json.dumps(data)
        assert data["reports"][0]["projects"] == ["DSA-2026-0420"]


def test_fund_ledger_shows_balances_and_entries(
    auditor, benefit_officer, django_capture_on_commit_callbacks
):
    fund_receive(
        actor=benefit_officer, amount_minor=123_456, currency="EUR", reason="Licence revenue share"
    )
    text, data = _build(auditor, "fund_ledger", _today(), django_capture_on_commit_callbacks)
    assert "Licence revenue share" in text
    assert "1,234.56" in text or "1234.56" in text
    assert data["entries"][0]["amount_minor"] == 123_456


@pytest.mark.parametrize(
    ("who", "kind"),
    [
        ("researcher", "dossier"),
        ("reviewer", "dossier"),
        ("custodian", "dossier"),
        ("benefit_officer", "harm_register"),
        ("harm_officer", "fund_ledger"),
        ("secretariat", "harm_register"),
    ],
)
def test_report_refusals(request, who, kind):
    from solidarity.errors import PermissionDenied

    user = request.getfixturevalue(who)
    with pytest.raises(PermissionDenied):
        report_request(actor=user, kind=kind, params={"application": "x", **_today()})


def test_dossier_shows_the_co_applicants_and_the_conversation(
    auditor,
    researcher,
    other_researcher,
    secretariat,
    organisation,
    django_capture_on_commit_callbacks,
):
    from applications import services as app_services

    dataset = DatasetFactory(custodian=organisation, title="Diabetes records")
    app = review_factories.submitted(researcher, datasets=[dataset])
    _member, token = app_services.application_member_invite(
        actor=researcher, application=app, email=other_researcher.email, role="editor"
    )
    app_services.application_member_accept(actor=other_researcher, token=token)
    app_services.application_request_revision(
        actor=secretariat, application=app, message="Name the data-protection officer."
    )
    app_services.message_post(
        actor=other_researcher, application=app, body="Our officer is Dr Weber.", answer=True
    )
    app_services.message_post(
        actor=secretariat, application=app, body="Budget looks thin.", visibility="committee"
    )
    text, data = _build(
        auditor, "dossier", {"application": app.reference}, django_capture_on_commit_callbacks
    )
    assert "Co-applicants and conversation" in text
    assert "Name the data-protection officer." in text and "Our officer is Dr Weber." in text
    assert "Budget looks thin." in text and "Committee only" in text
    assert [m["visibility"] for m in data["conversation"]["messages"]] == [
        "public",
        "public",
        "committee",
    ]
    assert data["conversation"]["members"][0]["state"] == "Member"
