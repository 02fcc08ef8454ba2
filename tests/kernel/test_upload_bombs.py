"""Compression bombs through the public forms: refused with a clear message, nothing saved,
and the server never inflates what the archive would unpack to."""

import io
import tracemalloc
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from applications.models import Attachment
from harms.models import HarmReport
from tests.applications import factories as application_factories
from tests.harms.test_reporting import FORM

pytestmark = pytest.mark.django_db

ODT_MIME = b"application/vnd.oasis.opendocument.text"
MB = 1024 * 1024


def _zip(entries: dict[str, bytes], *, level=9) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=level) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def odt(mimetype_padding: int = 0) -> bytes:
    """An OpenDocument text whose ``mimetype`` entry inflates to ``mimetype_padding`` bytes."""
    return _zip(
        {"mimetype": ODT_MIME + b"\0" * mimetype_padding, "content.xml": b"<office:document/>"}
    )


def docx(extra: dict[str, bytes] | None = None) -> bytes:
    return _zip({"word/document.xml": b"<w:document>Protocol</w:document>", **(extra or {})})


def _report(client, name, content):
    upload = SimpleUploadedFile(name, content, content_type="application/octet-stream")
    return client.post(reverse("harms:report"), {**FORM, "r-attachments": [upload]})


def _peak_bytes(call):
    tracemalloc.start()
    try:
        response = call()
        return response, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_a_plain_odt_and_docx_are_still_accepted(client):
    assert _report(client, "letter.odt", odt()).status_code == 302
    assert _report(client, "letter.docx", docx()).status_code == 302
    assert HarmReport.objects.count() == 2


def test_anonymous_odt_whose_mimetype_inflates_to_64_mb_is_refused_cheaply(client):
    bomb = odt(64 * MB)
    assert len(bomb) < 200 * 1024
    response, peak = _peak_bytes(lambda: _report(client, "letter.odt", bomb))
    assert response.status_code == 200
    body = response.content.decode()
    assert "would unpack to 64 MB" in body or "compressed more than" in body
    assert "A letter from my employer" in body  # the reporter's words are kept on the page
    assert not HarmReport.objects.exists()
    assert peak < 16 * MB, f"the check used {peak / MB:.0f} MB"


def test_an_archive_above_the_total_cap_is_refused(client, settings):
    settings.UPLOAD_ARCHIVE_MAX_BYTES = 4 * MB
    settings.UPLOAD_ARCHIVE_MAX_RATIO = 10_000
    response = _report(client, "letter.docx", docx({"word/media/big.bin": b"\0" * (5 * MB)}))
    assert "would unpack to 5 MB; the limit is 4 MB" in response.content.decode()
    assert not HarmReport.objects.exists()


def test_a_highly_compressed_document_is_refused(client):
    response = _report(client, "letter.docx", docx({"word/media/zeros.bin": b"\0" * (8 * MB)}))
    assert "compressed more than 100 times" in response.content.decode()
    assert not HarmReport.objects.exists()


def test_a_nested_archive_is_refused(client):
    inner = _zip({"a.bin": b"\0" * MB})
    for name in ("word/embeddings/inner.zip", "word/media/image1.png"):
        response = _report(client, "letter.docx", docx({name: inner}))
        assert "contains another archive" in response.content.decode(), name
    assert not HarmReport.objects.exists()


def test_an_entry_lying_about_its_size_is_not_inflated(client):
    """A directory that declares a tiny size for a huge entry: we read what it declares."""
    data = bytearray(odt(32 * MB))
    # Patch the declared uncompressed size of "mimetype" (local header and central directory).
    info = zipfile.ZipFile(io.BytesIO(bytes(data))).getinfo("mimetype")
    small = (len(ODT_MIME)).to_bytes(4, "little")
    real = info.file_size.to_bytes(4, "little")
    data = bytes(data).replace(real, small)
    response, peak = _peak_bytes(lambda: _report(client, "letter.odt", data))
    assert response.status_code in (200, 302)
    assert peak < 16 * MB, f"the check used {peak / MB:.0f} MB"


def test_signed_in_attachment_bomb_is_refused(client, researcher):
    application = application_factories.draft(researcher)
    client.force_login(researcher)
    bomb = docx({"word/media/zeros.bin": b"\0" * (64 * MB)})
    response, peak = _peak_bytes(
        lambda: client.post(
            reverse("applications:edit", args=[application.pk, "attachments"]),
            {"kind": "protocol", "file": SimpleUploadedFile("protocol.docx", bomb)},
        )
    )
    assert response.status_code == 400
    assert "protocol" not in {a.kind for a in Attachment.objects.filter(application=application)}
    assert peak < 16 * MB
