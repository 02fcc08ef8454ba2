"""The dossier built through the report page for an application with a whole life behind it.

A self-assessment, a revision round, a committee decision, an activation and an amendment:
the PDF must build, say what happened in words people read, and leave out a reviewer's
unfiled drafts.
"""

import datetime
import io
import json
import re

import pytest
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from applications import services as application_services
from reviews import services as review_services
from solidarity.auditing.models import ReportJob
from tests.benefits.factories import signed_agreement
from tests.factories import DatasetFactory
from tests.reviews import factories as review_factories

# Patterns that betray an internal value printed where a person reads.
RAW = [
    (re.compile(r"\{'[a-z_]+':"), "a Python dict"),
    (re.compile(r"\['[a-z_]+'"), "a Python list"),
    (re.compile(r"\b\d{4}-\d{2}-\d{2}T\d{2}:\d{2}"), "an ISO time"),
    (re.compile(r"\bH-\d+\b"), "an internal harm id"),
    (re.compile(r"\btype not set\b"), "a missing type"),
]


def raw_codes(text: str) -> list[str]:
    return [f"{why}: {m.group(0)!r}" for rx, why in RAW for m in rx.finditer(text)]


@pytest.fixture
def lived_application(
    researcher,
    secretariat,
    reviewer,
    other_reviewer,
    chair,
    custodian,
    benefit_officer,
    organisation,
):
    """Self-assessment, revision round, type A approval, activation, then an amendment."""
    framework = review_services.framework_loaded(review_services.framework_ensure_default().pk)
    dataset = DatasetFactory(custodian=organisation, title="Diabetes records")
    app = review_factories.draft(researcher, datasets=[dataset])
    picked = review_factories.answers(framework)
    review_services.self_assessment_save(
        actor=researcher,
        application=app,
        answers=picked,
        other=review_factories.other_texts(framework, picked),
    )
    app = application_services.application_submit(actor=researcher, application=app)
    app = application_services.application_request_revision(
        actor=secretariat, application=app, message="Explain the heat-wave definition."
    )
    application_services.application_update_draft(
        actor=researcher, application=app, methods="Heat wave: three days above 30 °C."
    )
    app = application_services.application_submit(actor=researcher, application=app)
    app = application_services.application_accept(actor=secretariat, application=app)
    filed = review_factories.assign(app, secretariat, reviewer)
    review_factories.file_review(filed, framework, risks=[{}])
    drafting = review_factories.assign(app, secretariat, other_reviewer)
    review_services.risk_item_add(
        actor=other_reviewer,
        assignment=drafting,
        **{**review_factories.RISK, "description": "Unfiled worry about linkage keys"},
    )
    app = application_services.application_mark_awaiting_decision(
        actor=secretariat, application=app
    )
    review_services.decision_record(
        actor=chair,
        application=app,
        outcome="approved",
        reason="Clear public value; federated analysis only.",
        access_expires_on=timezone.localdate() + datetime.timedelta(days=365),
    )
    app.refresh_from_db()
    for request in app.dataset_requests.all():
        application_services.dataset_request_grant(actor=custodian, dataset_request=request)
    app.refresh_from_db()
    signed_agreement(app, benefit_officer)
    app.refresh_from_db()
    assert app.state == "active"
    app = application_services.application_amend(
        actor=researcher, application=app, reason="Extend the end date."
    )
    application_services.application_update_draft(
        actor=researcher, application=app, end_date=datetime.date(2029, 6, 30)
    )
    app = application_services.application_submit(actor=researcher, application=app)
    assert app.current_version == 3
    return app


def _request_dossier(client, user, reference, capture):
    client.force_login(user)
    with capture(execute=True):
        response = client.post(
            reverse("auditing:reports"), {"kind": "dossier", "application": reference}
        )
    return response


def _pdf(client, job):
    download = client.get(reverse("auditing:report-download", args=[job.pk]))
    assert download["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(b"".join(download.streaming_content)))
    text = " ".join(" ".join(p.extract_text() for p in reader.pages).split())
    return text, json.loads(reader.attachments["report-data.json"][0])


def test_dossier_builds_for_an_application_with_a_self_assessment_revision_and_amendment(
    client, auditor, lived_application, django_capture_on_commit_callbacks
):
    app = lived_application
    response = _request_dossier(client, auditor, app.reference, django_capture_on_commit_callbacks)
    job = ReportJob.objects.get()
    assert response.status_code == 302, response.content.decode()[:2000]
    assert job.state == "done", job.error
    page = client.get(response.url).content.decode()
    assert "The report is ready" in page
    text, data = _pdf(client, job)
    # The applicant's self-assessment, scored and typed.
    self_result = data["review"]["self_assessment"]
    assert self_result["type"] == "A"
    assert -1 <= self_result["benefit"] <= 1 and -1 <= self_result["safety"] <= 1
    assert "The applicant's self-assessment" in text
    # Three versions, each readable.
    assert [v["number"] for v in data["versions"]] == [1, 2, 3]
    assert "Heat wave: three days above 30 °C." in text
    assert "Methods" in text and "Plain-language summary" in text
    # The decision and the type, from the committee's record.
    assert data["review"]["decision"]["outcome"] == "Approved"
    assert "Clear public value" in text
    assert "Decision: Approved" in text
    # Times in the configured zone, with its name.
    tz = timezone.get_current_timezone_name()
    assert timezone.localtime().strftime("%Z") in text or tz in text
    assert raw_codes(text) == []


def test_dossier_leaves_out_a_reviewers_unfiled_risk_items(
    client, auditor, lived_application, django_capture_on_commit_callbacks
):
    _request_dossier(
        client, auditor, lived_application.reference, django_capture_on_commit_callbacks
    )
    job = ReportJob.objects.get()
    assert job.state == "done", job.error
    text, data = _pdf(client, job)
    assert "identification of patients in small towns" in text  # the filed register
    assert "Unfiled worry about linkage keys" not in text
    assert "Unfiled worry" not in json.dumps(data)


def test_unknown_reference_is_refused_by_the_report_form(
    client, auditor, django_capture_on_commit_callbacks
):
    response = _request_dossier(
        client, auditor, "DSA-9999-0001", django_capture_on_commit_callbacks
    )
    assert response.status_code == 200
    assert not ReportJob.objects.exists()
    form = response.context["form"]
    assert "application" in form.errors
    assert "DSA-9999-0001" in str(form.errors["application"])


def test_a_draft_is_not_a_dossier(client, auditor, researcher, django_capture_on_commit_callbacks):
    app = review_factories.draft(researcher)
    response = _request_dossier(client, auditor, str(app.pk), django_capture_on_commit_callbacks)
    assert response.status_code == 200
    assert "application" in response.context["form"].errors
    assert not ReportJob.objects.exists()


def test_job_list_names_the_reference_of_each_job(
    client, auditor, lived_application, django_capture_on_commit_callbacks
):
    _request_dossier(
        client, auditor, lived_application.reference, django_capture_on_commit_callbacks
    )
    ReportJob.objects.create(
        kind="dossier",
        params={"application": "DSA-1999-0042"},
        requested_by=auditor,
        state="failed",
    )
    page = client.get(reverse("auditing:reports")).content.decode()
    assert lived_application.reference in page
    assert "DSA-1999-0042" in page


def test_seeded_approved_application_shows_its_decision_and_type(
    client, db, django_capture_on_commit_callbacks
):
    from django.core.management import call_command

    from applications.models import Application
    from solidarity.accounts.models import User

    call_command("seed_demo", stdout=io.StringIO())
    app = Application.objects.get(title="Diabetes care across Vienna's districts")
    assert app.state == "approved"
    auditor = User.objects.get(username="auditor")
    _request_dossier(client, auditor, app.reference, django_capture_on_commit_callbacks)
    job = ReportJob.objects.get()
    assert job.state == "done", job.error
    text, data = _pdf(client, job)
    assert "Decision: Approved" in text
    assert data["review"]["classification"]["type"] == "A"
    assert "type A: low risk, high public value" in text
    assert raw_codes(text) == []
    page = client.get(reverse("register:detail", args=[app.reference])).content.decode()
    assert "not set" not in page


def test_harm_register_uses_the_report_reference_and_shows_redress_amounts(
    client, harm_officer, researcher, django_capture_on_commit_callbacks
):
    from benefits.services import fund_receive
    from harms import services as harm_services
    from tests.harms.factories import make_application, make_report

    fund_receive(actor=harm_officer, amount_minor=100_000, currency="EUR", reason="Seed")
    app = make_application(researcher, reference="DSA-2026-0777")
    report, _code = make_report(actor=None, application=app)
    harm_services.harm_report_triage(
        actor=harm_officer, report=report, severity="moderate", applications=[app]
    )
    harm_services.redress_offer(
        actor=harm_officer,
        report=report,
        kind="financial",
        description="Costs of changing insurer",
        amount_minor=50_000,
        currency="EUR",
    )
    today = timezone.localdate().isoformat()
    client.force_login(harm_officer)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("auditing:reports"), {"kind": "harm_register", "start": today, "end": today}
        )
    job = ReportJob.objects.get()
    assert job.state == "done", job.error
    text, _data = _pdf(client, job)
    report.refresh_from_db()
    assert report.reference in text
    assert "500.00" in text and "EUR" in text
    assert raw_codes(text) == []
