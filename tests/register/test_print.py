"""The register in print: one entry, a filtered selection, the whole register (issue 15)."""

import io

import pytest
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from applications.models import Application, DatasetRequest
from solidarity.register import printing, tasks
from tests.factories import DatasetFactory, OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def registry(organisation):
    return DatasetFactory(custodian=organisation, title="Cancer registry")


def _entry(registry, n, **fields):
    applicant = UserFactory(
        username=f"zelda{n}", first_name="Zelda", last_name="Secretname", roles=["researcher"]
    )
    applicant.email = f"zelda{n}@private.example"
    applicant.save()
    app = Application.objects.create(
        applicant=applicant,
        organisation=OrganisationFactory(name=f"Public Health University {n}"),
        title=f"Screening study {n}",
        lay_summary="Plain words.",
        state="active",
        reference=f"DSA-2026-{n:04d}",
        decided_at=timezone.now(),
        legal_basis_art9="9_2_j",
        **fields,
    )
    app.team.create(name="Dr Hidden Person", role="PI", organisation="X", email="h@x.example")
    DatasetRequest.objects.create(application=app, dataset=registry, access_mode="federated")
    return app


def _text(content: bytes) -> str:
    reader = PdfReader(io.BytesIO(content))
    return "\n".join(p.extract_text() for p in reader.pages)


def _body(response) -> bytes:
    if hasattr(response, "streaming_content"):
        return b"".join(response.streaming_content)
    return response.content


def _no_personal_data(text: str) -> None:
    for secret in ("Zelda", "Secretname", "private.example", "Hidden Person", "x.example"):
        assert secret not in text


def test_one_entry_prints_with_its_facts_and_nothing_personal(client, registry, media):
    app = _entry(registry, 1)
    response = client.get(reverse("register:entry_pdf", args=[app.reference]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = _text(response.content)
    assert "DSA-2026-0001" in text and "Screening study 1" in text
    assert "Why it was allowed" in text and "Art. 9(2)(j)" in text
    _no_personal_data(text)


def test_an_unknown_or_undecided_entry_has_no_pdf(client, registry, researcher):
    draft = Application.objects.create(
        applicant=researcher, title="Draft", state="submitted", reference="DSA-2026-0099"
    )
    assert client.get(reverse("register:entry_pdf", args=[draft.reference])).status_code == 404
    assert client.get(reverse("register:entry_pdf", args=["DSA-2026-0404"])).status_code == 404


def test_a_filtered_selection_prints_only_its_entries(client, registry, media, organisation):
    _entry(registry, 1)
    other = DatasetFactory(title="Other registry")
    app2 = _entry(other, 2)
    response = client.get(reverse("register:pdf"), {"dataset": str(other.pk)})
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = _text(_body(response))
    assert app2.reference in text and "DSA-2026-0001" not in text
    _no_personal_data(text)


def test_a_selection_over_the_limit_points_to_the_exports(client, registry, media, monkeypatch):
    monkeypatch.setattr(printing, "REGISTER_PDF_LIMIT", 2)
    for n in range(1, 4):
        _entry(registry, n)
    response = client.get(reverse("register:pdf"), {"dataset": str(registry.pk)})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/html")
    body = response.content.decode()
    assert "at most 2" in body and "register.csv" in body


def test_the_whole_register_is_built_by_the_task_and_served_from_its_file(
    client, registry, media, monkeypatch
):
    monkeypatch.setattr(printing, "REGISTER_PDF_LIMIT", 2)
    for n in range(1, 4):
        _entry(registry, n)
    before = client.get(reverse("register:pdf"))
    assert before["Content-Type"].startswith("text/html")  # too large, and not built yet
    assert "built every night" in before.content.decode()
    path = tasks.build_register_pdf()
    assert path.endswith(printing.WHOLE_REGISTER_NAME)
    after = client.get(reverse("register:pdf"))
    assert after.status_code == 200 and after["Content-Type"] == "application/pdf"
    text = _text(_body(after))
    assert all(f"DSA-2026-000{n}" in text for n in range(1, 4))
    _no_personal_data(text)


def test_the_register_pages_link_to_the_pdfs(client, registry, media):
    app = _entry(registry, 1)
    assert reverse("register:pdf") in client.get(reverse("register:list")).content.decode()
    detail = client.get(reverse("register:detail", args=[app.reference])).content.decode()
    assert reverse("register:entry_pdf", args=[app.reference]) in detail


def test_the_whole_register_pdf_can_be_built_by_command(registry, media):
    from django.core.management import call_command

    _entry(registry, 1)
    call_command("build_register_pdf")
    assert "DSA-2026-0001" in _text(printing.whole_register_path().read_bytes())
