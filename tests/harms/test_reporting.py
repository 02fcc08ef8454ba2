import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from harms import crypto
from harms.models import HarmAttachment, HarmReport
from solidarity.audit.models import AuditEvent

from .factories import make_application

pytestmark = pytest.mark.django_db

FORM = {
    "r-what_happened": "A letter from my employer mentioned my HIV status.",
    "r-occurred_when": "January 2026",
    "r-affected": "self",
    "r-categories": ["privacy_breach", "discrimination"],
    "l-project_search": "",
    "l-dataset": "",
    "c-name": "",
    "c-email": "",
    "c-phone": "",
    "c-website": "",
}


def test_anonymous_report_shows_the_receipt_code_once_and_stores_only_its_hash(client):
    response = client.post(reverse("harms:report"), FORM)
    assert response.status_code == 302
    assert response["Location"] == reverse("harms:receipt")
    page = client.get(reverse("harms:receipt")).content.decode()
    report = HarmReport.objects.get()
    code = page.split("data-receipt-code>")[1].split("<")[0]
    assert len(crypto.normalise_receipt_code(code)) == 16
    assert report.receipt_hash == crypto.receipt_hash(code)
    assert code not in report.receipt_hash
    assert report.reporter is None
    assert report.categories == ["privacy_breach", "discrimination"]
    # shown once only
    assert code not in client.get(reverse("harms:receipt")).content.decode()
    # the audit trail never holds the code
    for event in AuditEvent.objects.all():
        assert crypto.normalise_receipt_code(code) not in str(event.payload).replace("-", "")


def test_no_column_holds_the_receipt_code_in_clear(anonymous_report):
    report, code = anonymous_report
    row = HarmReport.objects.filter(pk=report.pk).values().get()
    assert code not in str(row)
    assert crypto.normalise_receipt_code(code) not in str(row)


def test_contact_details_are_encrypted_at_rest(anonymous_report):
    report, _code = anonymous_report
    row = HarmReport.objects.filter(pk=report.pk).values().get()
    assert "dana@example.org" not in str(row)
    assert crypto.decrypt_contact(report.contact_ciphertext)["email"] == "dana@example.org"
    for event in AuditEvent.objects.all():
        assert "dana@example.org" not in str(event.payload)


def test_signed_in_report_has_no_code_and_appears_in_my_reports(client, researcher):
    client.force_login(researcher)
    response = client.post(reverse("harms:report"), FORM)
    report = HarmReport.objects.get()
    assert response["Location"] == reverse("harms:detail", args=[report.pk])
    assert report.reporter == researcher and report.receipt_hash is None
    body = client.get(reverse("harms:mine")).content.decode()
    assert report.reference in body


def test_invalid_report_comes_back_filled_and_saves_nothing(client):
    data = {**FORM, "r-categories": [], "c-email": "not-an-email"}
    response = client.post(reverse("harms:report"), data)
    assert response.status_code == 200
    body = response.content.decode()
    assert "A letter from my employer" in body
    assert 'value="January 2026"' in body
    assert "Enter a valid email address" in body
    assert not HarmReport.objects.exists()


def test_overlong_text_is_refused_with_a_message(client):
    response = client.post(reverse("harms:report"), {**FORM, "r-what_happened": "x" * 5001})
    assert response.status_code == 200
    assert "the limit is 5000" in response.content.decode()
    assert "nothing was cut" in response.content.decode()
    assert not HarmReport.objects.exists()


def test_honeypot_refuses_the_report_with_a_clear_message(client):
    response = client.post(reverse("harms:report"), {**FORM, "c-website": "http://spam"})
    assert response.status_code == 400
    assert "leave the field" in response.content.decode()
    assert not HarmReport.objects.exists()


def test_anonymous_submissions_are_rate_limited_per_client(client, settings):
    settings.HARM_REPORT_RATE = "2/hour"
    for _ in range(2):
        assert client.post(reverse("harms:report"), FORM).status_code == 302
    response = client.post(reverse("harms:report"), FORM)
    assert response.status_code == 429
    assert "Too many reports" in response.content.decode()
    assert "A letter from my employer" in response.content.decode()
    assert HarmReport.objects.count() == 2
    # another client is not affected
    other = client.post(reverse("harms:report"), FORM, REMOTE_ADDR="10.0.0.9")
    assert other.status_code == 302


def test_signed_in_reporters_are_not_rate_limited(client, researcher, settings):
    settings.HARM_REPORT_RATE = "1/hour"
    client.force_login(researcher)
    for _ in range(3):
        assert client.post(reverse("harms:report"), FORM).status_code == 302


def test_project_search_finds_public_projects_and_keeps_the_text(client, researcher):
    public = make_application(researcher, reference="DSA-2026-0042", title="Stroke registry use")
    make_application(
        researcher, state="in_review", reference="DSA-2026-0043", title="Stroke draft project"
    )
    data = {**FORM, "l-project_search": "stroke", "find_project": "1"}
    response = client.post(reverse("harms:report"), data)
    body = response.content.decode()
    assert "Stroke registry use" in body
    assert "Stroke draft project" not in body  # not on the public register
    assert "A letter from my employer" in body
    assert not HarmReport.objects.exists()
    data = {**FORM, "l-project_search": "stroke", "l-project": str(public.pk)}
    assert client.post(reverse("harms:report"), data).status_code == 302
    assert list(HarmReport.objects.get().applications.all()) == [public]


def test_a_project_reference_typed_exactly_is_linked(client, researcher):
    public = make_application(researcher, reference="DSA-2026-0077")
    client.post(reverse("harms:report"), {**FORM, "l-project_search": "dsa-2026-0077"})
    assert list(HarmReport.objects.get().applications.all()) == [public]


def test_an_unknown_project_is_kept_as_the_reporters_words(client):
    client.post(reverse("harms:report"), {**FORM, "l-project_search": "the app from my GP"})
    report = HarmReport.objects.get()
    assert report.project_hint == "the app from my GP"
    assert not report.applications.exists()


def test_attachment_is_checked_and_stored(client):
    good = SimpleUploadedFile("letter.txt", b"The letter says...", content_type="text/plain")
    client.post(reverse("harms:report"), {**FORM, "r-attachments": [good]})
    attachment = HarmAttachment.objects.get()
    assert attachment.name == "letter.txt" and len(attachment.sha256) == 64


def test_a_disguised_attachment_is_refused_and_the_text_kept(client):
    bad = SimpleUploadedFile("photo.pdf", b"\x00\x01binary", content_type="application/pdf")
    response = client.post(reverse("harms:report"), {**FORM, "r-attachments": [bad]})
    assert response.status_code == 200
    body = response.content.decode()
    assert "not accepted" in body and "A letter from my employer" in body
    assert not HarmReport.objects.exists()


def test_the_form_is_public_and_labelled(client):
    body = client.get(reverse("harms:report")).content.decode()
    assert '<label for="id_r-what_happened"' in body
    assert "Privacy breach" in body and "Loss of access to care" in body


@pytest.mark.parametrize("who", ["researcher", "custodian", "reviewer", "outsider", "chair"])
def test_nobody_but_the_panel_sees_someone_elses_report(client, request, report, who):
    client.force_login(request.getfixturevalue(who))
    assert client.get(reverse("harms:detail", args=[report.pk])).status_code == 404
    assert client.get(reverse("harms:queue")).status_code == 403


def test_another_researcher_cannot_see_a_signed_in_report(client, researcher, other_researcher):
    from .factories import make_report

    report, _ = make_report(actor=researcher)
    client.force_login(other_researcher)
    assert client.get(reverse("harms:detail", args=[report.pk])).status_code == 404
    client.force_login(researcher)
    assert client.get(reverse("harms:detail", args=[report.pk])).status_code == 200


def test_officer_sees_identity_and_contact_auditor_sees_withheld(
    client, report, harm_officer, auditor
):
    client.force_login(harm_officer)
    body = client.get(reverse("harms:detail", args=[report.pk])).content.decode()
    assert "dana@example.org" in body
    client.force_login(auditor)
    body = client.get(reverse("harms:detail", args=[report.pk])).content.decode()
    assert "dana@example.org" not in body and "Dana" not in body
    assert "withheld" in body


def test_officers_are_notified_of_a_new_report(client, harm_officer):
    from solidarity.notifications.models import Notification

    client.post(reverse("harms:report"), FORM)
    assert Notification.objects.filter(recipient=harm_officer, kind="harm_report.received").exists()


def test_files_are_for_harm_officers_only(client, harm_officer, auditor, outsider):
    letter = SimpleUploadedFile("letter.txt", b"From Dana Doe", content_type="text/plain")
    client.post(reverse("harms:report"), {**FORM, "r-attachments": [letter]})
    attachment = HarmAttachment.objects.get()
    url = reverse("harms:attachment", args=[attachment.pk])
    for who in (auditor, outsider):
        client.force_login(who)
        assert client.get(url).status_code == 404
    client.force_login(auditor)
    detail = client.get(reverse("harms:detail", args=[attachment.report_id])).content.decode()
    assert "letter.txt" not in detail and "withheld" in detail
    client.force_login(harm_officer)
    response = client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"From Dana Doe"
