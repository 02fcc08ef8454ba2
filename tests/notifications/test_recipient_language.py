"""Each person hears from Solidarity in their own language, whoever acts in whichever."""

from django.core import mail
from django.urls import reverse
from django.utils import translation

from solidarity.audit.models import AuditEvent
from solidarity.notifications.models import Notification
from solidarity.notifications.services import notification_deliver
from tests.reviews import factories as review_factories


def test_a_german_reviewer_hears_in_german_when_a_french_secretariat_assigns(
    client, secretariat, reviewer, researcher
):
    reviewer.language = "de"
    reviewer.save(update_fields=["language"])
    secretariat.language = "fr"
    secretariat.save(update_fields=["language"])
    app = review_factories.in_review(researcher, secretariat)
    mail.outbox.clear()

    client.force_login(secretariat)
    response = client.post(
        reverse("reviews:assign", args=[app.pk]),
        {"reviewer": reviewer.pk, "role": "scientific", "due_on": review_factories.due()},
        follow=True,
    )
    assert response.status_code == 200
    # The secretariat's own page is French ...
    assert response.headers["Content-Language"] == "fr"
    # ... and the reviewer's notification and e-mail are German.
    note = Notification.objects.get(recipient=reviewer, kind="review_assigned")
    assert note.subject == f"Begutachtung angefragt: {app.reference}"
    assert "Review requested" not in note.subject
    # The outbox delivers after commit; deliver this row as the task would.
    assert notification_deliver(notification_id=note.pk)
    [email] = [m for m in mail.outbox if reviewer.email in m.to]
    assert email.subject == note.subject
    assert "Sie werden gebeten" in email.body or "Bitte" in email.body
    assert "You are asked" not in email.body


def test_a_person_without_a_preference_hears_in_the_default_language(
    client, secretariat, reviewer, researcher
):
    app = review_factories.in_review(researcher, secretariat)
    client.force_login(secretariat)
    client.post(
        reverse("reviews:assign", args=[app.pk]),
        {"reviewer": reviewer.pk, "role": "scientific", "due_on": review_factories.due()},
        HTTP_ACCEPT_LANGUAGE="fr",
    )
    note = Notification.objects.get(recipient=reviewer, kind="review_assigned")
    assert note.subject == f"Review requested: {app.reference}"


def test_the_language_preference_is_kept_on_the_account_page(client, reviewer):
    client.force_login(reviewer)
    page = client.get(reverse("account-security"))
    assert 'name="language"' in page.content.decode()
    response = client.post(reverse("account-language"), {"language": "de"})
    assert response.status_code == 302
    reviewer.refresh_from_db()
    assert reviewer.language == "de"
    assert AuditEvent.objects.filter(action="account.language_set").exists()
    # Pages follow the account, whatever the browser asks for.
    home = client.get("/", HTTP_ACCEPT_LANGUAGE="fr")
    assert home.headers["Content-Language"] == "de"


def test_an_unknown_language_is_refused_with_a_field_error(client, reviewer):
    client.force_login(reviewer)
    reviewer.refresh_from_db()
    before = reviewer.language
    response = client.post(reverse("account-language"), {"language": "xx"})
    assert response.status_code == 400
    assert "language" in response.context["language_form"].errors
    reviewer.refresh_from_db()
    assert reviewer.language == before


def test_the_language_switcher_writes_the_preference_of_a_signed_in_person(client, reviewer):
    client.force_login(reviewer)
    client.post(reverse("set_language"), {"language": "fr", "next": "/"})
    reviewer.refresh_from_db()
    assert reviewer.language == "fr"


def test_the_first_sign_in_records_the_browser_language(client, researcher, password):
    assert researcher.language == ""
    response = client.post(
        reverse("login"),
        {"username": researcher.username, "password": password},
        HTTP_ACCEPT_LANGUAGE="de-DE,de;q=0.9",
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    researcher.refresh_from_db()
    assert researcher.language == "de"


def test_an_anonymous_address_hears_in_the_language_given(db):
    from solidarity.notifications.services import notify_address, register_address_resolver

    register_address_resolver("test_lang", lambda key: "someone@example.org")
    note = notify_address(
        address_key="test_lang:1",
        kind="any",
        context=lambda: {"subject": _subject(), "body": "x"},
        language="fr",
    )
    assert note.subject == "Évaluation demandée : R-1"


def _subject():
    from django.utils.translation import gettext

    return gettext("Review requested: %(ref)s") % {"ref": "R-1"}


def test_the_applicant_hears_of_screening_in_their_own_language(researcher, secretariat):
    from applications import services as application_services

    researcher.language = "de"
    researcher.save(update_fields=["language"])
    submitted = review_factories.submitted(researcher)
    with translation.override("fr"):
        app = application_services.application_accept(actor=secretariat, application=submitted)
    note = Notification.objects.filter(recipient=researcher).latest("id")
    with translation.override("de"):
        assert note.subject == translation.gettext("In review: %(ref)s") % {"ref": app.reference}
    assert note.subject != f"In review: {app.reference}"


def test_an_anonymous_reporter_hears_in_the_language_they_reported_in(
    client, django_capture_on_commit_callbacks, harm_officer
):
    """A report filed in German without an account: the panel (in English) acknowledges it and
    the reporter's e-mail is German, though nobody has an account to hold the preference."""
    from harms.models import HarmReport

    with django_capture_on_commit_callbacks(execute=True):
        created = client.post(
            "/api/v1/harm-reports/",
            {
                "what_happened": "Meine Daten wurden meinem Arbeitgeber gezeigt.",
                "occurred_when": "2026-02",
                "affected": "self",
                "categories": ["privacy_breach"],
                "contact_email": "eva@example.org",
            },
            content_type="application/json",
            HTTP_ACCEPT_LANGUAGE="de",
        )
    assert created.status_code == 201
    report = HarmReport.objects.get()
    mail.outbox.clear()

    client.force_login(harm_officer)
    with translation.override("en"), django_capture_on_commit_callbacks(execute=True):
        acknowledged = client.post(
            reverse("harms:action", args=[report.pk, "acknowledge"]),
            {"acknowledge-message": "We have your report and will look at it this week."},
            HTTP_ACCEPT_LANGUAGE="en",
        )
    assert acknowledged.status_code == 302
    [email] = [m for m in mail.outbox if m.to == ["eva@example.org"]]
    assert email.subject.startswith("Neuigkeiten") or "Schadensmeldung" in email.subject
    assert "There is news" not in email.subject
    assert report.reference in email.subject


def test_the_daily_reminders_reach_each_person_in_their_language(
    researcher, secretariat, reviewer, chair, settings
):
    """The beat tasks act as nobody in particular: the reviewer's due-date reminder and the
    condition owner's overdue reminder are each written in the recipient's language."""
    import datetime

    from django.utils import timezone

    from reviews.models import Assignment, Condition
    from reviews.tasks import check_conditions_due, send_due_reminders
    from tests.reviews.factories import assign, in_review

    settings.REMINDER_DAYS_BEFORE = [7, 1]
    today = timezone.localdate()
    reviewer.language = "de"
    reviewer.save(update_fields=["language"])
    application = in_review(researcher, secretariat)
    assignment = assign(application, secretariat, reviewer)
    Assignment.objects.filter(pk=assignment.pk).update(due_on=today + datetime.timedelta(days=7))

    owner = researcher
    owner.language = "fr"
    owner.save(update_fields=["language"])
    Condition.objects.create(
        application=application,
        text="Publish the analysis code.",
        due_on=today - datetime.timedelta(days=2),
        owner=owner,
        created_by=chair,
    )

    with translation.override("en"):
        send_due_reminders.apply()
        check_conditions_due.apply()
    review = Notification.objects.get(recipient=reviewer, kind="due_reminder")
    assert review.subject.startswith("Begutachtung") or "fällig" in review.subject
    assert "due" not in review.subject
    overdue = Notification.objects.get(recipient=owner, kind="condition_reminder")
    assert "Overdue" not in overdue.subject and application.reference in overdue.subject


def test_the_harm_panel_hears_of_a_new_report_in_each_officers_language(client, harm_officer):
    """An anonymous report filed in English tells a German-speaking harm officer in German."""
    from harms.models import HarmReport

    harm_officer.language = "de"
    harm_officer.save(update_fields=["language"])
    created = client.post(
        "/api/v1/harm-reports/",
        {
            "what_happened": "My records were shown to my employer.",
            "occurred_when": "2026-02",
            "affected": "self",
            "categories": ["privacy_breach"],
        },
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert created.status_code == 201
    report = HarmReport.objects.get()
    note = Notification.objects.get(recipient=harm_officer, kind="harm_report.received")
    assert note.subject == f"Neue Schadensmeldung {report.reference}"
