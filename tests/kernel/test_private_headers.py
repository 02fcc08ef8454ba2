"""Headers that keep personal data private (issue 17, item 9): no caching of what a signed-in
person or a harm reporter sees, a CSP on the API docs without an exemption, and uploads that
look like web pages served only as plain-text attachments."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from applications.models import Attachment
from harms.models import HarmAttachment
from tests.applications import factories as application_factories
from tests.harms.test_reporting import FORM

pytestmark = pytest.mark.django_db

HTML = b"<!doctype html><html><body><script>alert(document.cookie)</script></body></html>"
SVG = (
    b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)">'
    b"<script>alert(document.domain)</script></svg>"
)


def _no_store(response):
    return "no-store" in response.get("Cache-Control", "")


def test_reporter_identity_page_is_not_stored(client, harm_officer):
    contact = {**FORM, "c-name": "Dana Doe", "c-email": "dana@example.org"}
    client.post(reverse("harms:report"), contact)
    from harms.models import HarmReport

    report = HarmReport.objects.get()
    client.force_login(harm_officer)
    response = client.get(reverse("harms:detail", args=[report.pk]))
    assert response.status_code == 200 and "dana@example.org" in response.content.decode()
    assert _no_store(response)


def test_every_signed_in_response_is_not_stored(client, api_client, researcher):
    client.force_login(researcher)
    for url in ("/", reverse("applications:mine"), "/api/v1/applications/"):
        assert _no_store(client.get(url)), url


def test_anonymous_harm_pages_are_not_stored(client, api_client):
    assert _no_store(client.get(reverse("harms:report")))
    assert _no_store(client.get(reverse("harms:status")))
    lookup = api_client.post(
        "/api/v1/harm-reports/status/", {"receipt_code": "AAAA-BBBB-CCCC-DDDD"}, format="json"
    )
    assert _no_store(lookup)


def test_public_register_may_be_cached(client):
    assert not _no_store(client.get("/register/"))


def test_api_docs_have_a_csp_with_hashes_and_no_inline_script(client):
    response = client.get("/api/docs/")
    assert response.status_code == 200
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "'sha256-" in policy
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    body = response.content.decode()
    assert "<script>" not in body  # the bootstrap is a script of our origin
    script = client.get("/api/docs/?script=")
    assert script.status_code == 200
    assert "SwaggerUIBundle" in script.content.decode()


@pytest.mark.parametrize(
    "name, content", [("page.txt", HTML), ("drawing.md", SVG)], ids=["html-as-txt", "svg-as-md"]
)
def test_web_pages_named_as_text_are_served_as_plain_text_attachments(
    client, harm_officer, name, content
):
    upload = SimpleUploadedFile(name, content, content_type="text/html")
    assert (
        client.post(reverse("harms:report"), {**FORM, "r-attachments": [upload]}).status_code == 302
    )
    attachment = HarmAttachment.objects.get()
    client.force_login(harm_officer)
    response = client.get(reverse("harms:attachment", args=[attachment.pk]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    assert response["Content-Disposition"].startswith("attachment")
    assert response["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize(
    "name, content", [("notes.txt", HTML), ("notes.md", SVG)], ids=["html-as-txt", "svg-as-md"]
)
def test_application_files_that_look_like_pages_are_attachments(client, researcher, name, content):
    application = application_factories.draft(researcher)
    client.force_login(researcher)
    client.post(
        reverse("applications:edit", args=[application.pk, "attachments"]),
        {"kind": "other", "file": SimpleUploadedFile(name, content)},
    )
    attachment = Attachment.objects.get(application=application)
    response = client.get(reverse("applications:attachment", args=[application.pk, attachment.pk]))
    assert response["Content-Type"].startswith("text/plain")
    assert response["Content-Disposition"].startswith("attachment")
    assert response["X-Content-Type-Options"] == "nosniff"
