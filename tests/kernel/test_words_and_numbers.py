"""Words and numbers people can read: labels, money, one date format, plain messages."""

import datetime
import re
from html import unescape

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from applications import services as application_services
from benefits import services as benefit_services
from reviews import services as review_services
from tests.benefits.factories import ApprovedApplicationFactory, signed_agreement
from tests.reviews import factories as review_factories

pytestmark = pytest.mark.django_db


def _text(response) -> str:
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", response.content.decode(), flags=re.S)
    return unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)))


def test_the_audit_trail_shows_money_and_states_in_words(client, auditor, harm_officer):
    benefit_services.fund_receive(
        actor=harm_officer, amount_minor=100_000, currency="EUR", reason="Seed"
    )
    benefit_services.fund_disburse(
        actor=harm_officer, amount_minor=50_000, currency="EUR", reason="Redress"
    )
    client.force_login(auditor)
    text = _text(client.get(reverse("audit-console")))
    assert "outflow" in text.lower() and "€500.00" in text
    assert "-50000 EUR" not in text and "50000" not in text


def test_the_audit_trail_names_agreements_and_states(client, auditor, benefit_officer):
    app = ApprovedApplicationFactory()
    signed_agreement(app, benefit_officer)
    client.force_login(auditor)
    text = _text(client.get(reverse("audit-console")))
    assert f"for {app.reference}" in text
    assert not re.search(r"BSA-\d+ \(\d+\)", text)
    assert "Proposed" in text and "proposed →" not in text


def test_fund_sources_are_named(client, benefit_officer):
    benefit_services.fund_receive(
        actor=benefit_officer,
        amount_minor=250_000,
        currency="EUR",
        reason="Opening",
        source_type="demo_seed",
        source_id="opening",
    )
    client.force_login(benefit_officer)
    text = _text(client.get(reverse("benefits:fund")))
    assert "Opening contribution (demo data)" in text
    assert "demo_seed" not in text
    assert "€2,500.00" in text


def test_german_pages_show_german_money_and_dates(client, benefit_officer):
    benefit_services.fund_receive(
        actor=benefit_officer, amount_minor=250_000, currency="EUR", reason="Opening"
    )
    client.force_login(benefit_officer)
    client.cookies["django_language"] = "de"
    text = _text(client.get(reverse("benefits:fund"), HTTP_ACCEPT_LANGUAGE="de"))
    assert "2.500,00\xa0€" in text or "2.500,00 €" in text
    today = timezone.localtime()
    assert f"{today.day}. " in text and today.strftime("%Y") in text
    assert re.search(r"\d{2}:\d{2} (CET|CEST|UTC)", text)


def test_a_sitting_of_draft_edits_is_one_timeline_entry(client, researcher):
    app = review_factories.draft(researcher)
    for i in range(11):
        application_services.application_update_draft(
            actor=researcher, application=app, aims=f"Aim, take {i}"
        )
    client.force_login(researcher)
    text = _text(client.get(reverse("applications:detail", args=[app.pk])))
    assert text.count("Draft edited") == 1
    assert "11 saves" in text


def test_an_active_project_awaits_nothing_without_stray_dashes(client, researcher, benefit_officer):
    app = ApprovedApplicationFactory(applicant=researcher)
    signed_agreement(app, benefit_officer)
    app.refresh_from_db()
    assert app.state == "active"
    client.force_login(researcher)
    text = _text(client.get(reverse("applications:detail", args=[app.pk])))
    assert "Nothing: the project is active" in text
    assert "— —" not in text and "active —" not in text
    home = _text(client.get(reverse("home")))
    assert "see the application" not in home and "Draft:" not in home


def test_the_self_assessment_refuses_an_empty_form(client, researcher):
    review_services.framework_loaded(review_services.framework_ensure_default().pk)
    app = review_factories.draft(researcher)
    client.force_login(researcher)
    response = client.post(reverse("reviews:self-assessment", args=[app.pk]), {"comments": ""})
    assert response.status_code == 200
    assert "Answer at least one question" in _text(response)
    assert not app.assessments.filter(kind="self").exists()


def test_the_harm_form_shows_its_limit_and_never_cuts_a_paste(client):
    page = client.get(reverse("harms:report")).content.decode()
    box = re.search(r"<textarea[^>]*name=\"r-what_happened\"[^>]*>", page).group(0)
    assert "maxlength" not in box  # the browser would silently cut a paste
    assert 'data-limit="5000"' in box
    assert "up to 5,000 characters" in page
    assert "js/counter.js" in page


def test_the_agreement_kind_follows_commercial_involvement(client, benefit_officer):
    public = ApprovedApplicationFactory(commercial_involvement=False)
    commercial = ApprovedApplicationFactory(commercial_involvement=True)
    client.force_login(benefit_officer)

    def selected(app):
        page = client.get(reverse("benefits:agreement-draft") + f"?application={app.pk}")
        return re.search(
            r'<option value="(\w+)" selected>', page.content.decode().split('name="kind"')[1]
        ).group(1)

    assert selected(public) == "public_research"
    assert selected(commercial) == "commercial"


def test_the_breach_email_ends_its_sentence_once(
    benefit_officer, django_capture_on_commit_callbacks
):
    from benefits.services.lifecycle import agreement_flag_breach

    app = ApprovedApplicationFactory()
    agreement = signed_agreement(app, benefit_officer)
    agreement.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        agreement_flag_breach(
            actor=benefit_officer,
            agreement=agreement,
            reason="“Pay into the fund” has been overdue since 1 May (grace period 30 days).",
        )
    bodies = [m.body for m in mail.outbox if "breach" in m.subject]
    assert bodies
    assert all(".." not in b for b in bodies)


def test_the_harm_panel_is_told_what_happened(client, harm_officer):
    from tests.harms.factories import make_report

    report, _ = make_report()
    client.force_login(harm_officer)
    response = client.post(
        reverse("harms:action", args=[report.pk, "acknowledge"]),
        {"acknowledge-message": "Thank you, we are looking at it."},
        follow=True,
    )
    text = _text(response)
    assert f"{report.reference} acknowledged" in text
    assert "Done." not in text


def test_due_dates_have_no_iso_hint_beside_the_picker(client, secretariat, researcher):
    app = review_factories.in_review(researcher, secretariat)
    client.force_login(secretariat)
    text = _text(client.get(reverse("reviews:assign", args=[app.pk])))
    assert "YYYY-MM-DD" not in text


def test_reviewers_see_due_dates_in_the_locale_format(client, secretariat, researcher, reviewer):
    app = review_factories.in_review(researcher, secretariat)
    review_factories.assign(app, secretariat, reviewer)
    client.force_login(reviewer)
    text = _text(client.get(reverse("reviews:assignments")))
    due = review_factories.due()
    assert f"{due.day} {due.strftime('%B')} {due.year}" in text
    assert due.isoformat() not in text
    _ = datetime


def test_the_version_diff_names_attachment_kinds_and_keeps_same_files_apart(
    client, researcher, secretariat
):
    from tests.applications.factories import pdf_upload

    app = review_factories.submitted(researcher)
    app = application_services.application_request_revision(
        actor=secretariat, application=app, message="Add the ethics approval."
    )
    # The same file attached again under another kind is a new attachment, not a change of
    # kind on the first one.
    application_services.application_attachment_add(
        actor=researcher, application=app, kind="ethics_approval", uploaded_file=pdf_upload()
    )
    application_services.application_submit(actor=researcher, application=app)
    client.force_login(researcher)
    text = _text(client.get(reverse("applications:versions", args=[app.pk]), {"old": 1, "new": 2}))
    assert "Ethics approval" in text
    assert "ethics_approval" not in text and "protocol →" not in text


def test_success_messages_say_what_happened(client, researcher, secretariat):
    app = review_factories.draft(researcher)
    client.force_login(researcher)
    text = _text(client.post(reverse("applications:action", args=[app.pk, "submit"]), follow=True))
    app.refresh_from_db()
    assert f"Application {app.reference} submitted as version 1" in text
    assert "Done" not in text
    client.force_login(secretariat)
    text = _text(
        client.post(
            reverse("applications:action", args=[app.pk, "request-revision"]),
            {"text": "Say more."},
            follow=True,
        )
    )
    assert f"Revision of {app.reference} requested" in text
