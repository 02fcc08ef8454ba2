import io
from pathlib import Path

import pytest
from pypdf import PdfReader

from solidarity.accounts.roles import Role
from tests.applications.factories import in_review
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_auditor_exports_a_dossier_and_downloads_it(page, login, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    researcher = UserFactory(username="e2e_researcher", roles=[Role.RESEARCHER])
    secretariat = UserFactory(username="e2e_secretariat", roles=[Role.SECRETARIAT])
    UserFactory(username="e2e_auditor", roles=[Role.AUDITOR])
    application = in_review(researcher, secretariat)

    login("e2e_auditor")
    page.get_by_role("link", name="Reports", exact=True).click()
    page.locator("#id_kind").select_option("dossier")
    page.get_by_label("Application reference (for a dossier)").fill(application.reference)
    page.get_by_label("Archival PDF/A").check()
    page.get_by_role("button", name="Build the report").click()
    download_link = page.get_by_role("link", name="Download the PDF")
    download_link.wait_for()
    with page.expect_download() as info:
        download_link.click()
    download = info.value
    assert download.suggested_filename.endswith("-pdfa.pdf")
    reader = PdfReader(io.BytesIO(Path(download.path()).read_bytes()))
    text = " ".join(" ".join(p.extract_text() for p in reader.pages).split())
    assert application.reference in text
    assert "Application dossier" in text
    assert "report-data.json" in reader.attachments
