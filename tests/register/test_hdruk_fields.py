"""The fields the sector expects (HDR UK Data Use Register): collected, frozen, published."""

import csv
import io

import pytest
from django.urls import reverse
from django.utils import timezone

from applications.models import Application, DatasetRequest
from tests.factories import DatasetFactory, OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db

GOVERNANCE = {
    "legal_basis_art6": "6_1_e",
    "legal_basis_art9": "9_2_j",
    "confidentiality_basis": "section_251",
    "national_opt_out": "applied",
    "funders_sponsors": "Wellcome Trust\nNational Institute for Health Research",
    "other_approval_committees": "North West Research Ethics Committee",
    "dataset_linkage": "Cancer registry linked to hospital episodes by pseudonymised NHS number.",
    "research_outputs": "Screening paper https://doi.org/10.1000/xyz123\nCode on request",
    "accredited_researcher": "yes",
}


@pytest.fixture
def registry(organisation):
    return DatasetFactory(custodian=organisation, title="Cancer registry")


def _active(registry, n=1, **fields):
    app = Application.objects.create(
        applicant=UserFactory(roles=["researcher"]),
        organisation=OrganisationFactory(name="Public Health University"),
        title=f"Screening study {n}",
        state="active",
        reference=f"DSA-2026-{n:04d}",
        decided_at=timezone.now(),
        activated_at=timezone.now(),
        **fields,
    )
    DatasetRequest.objects.create(application=app, dataset=registry, access_mode="federated")
    return app


def test_the_register_entry_shows_the_hdruk_fields(client, registry):
    app = _active(registry, **GOVERNANCE)
    body = client.get(reverse("register:detail", args=[app.reference])).content.decode()
    assert "Legal basis and governance" in body
    assert "Art. 6(1)(e) public task" in body
    assert "Art. 9(2)(j) archiving, research or statistics" in body
    assert "Statutory support (e.g. section 251)" in body
    assert "Wellcome Trust; National Institute for Health Research" in body
    assert "North West Research Ethics Committee" in body
    link = '<a href="https://doi.org/10.1000/xyz123" rel="nofollow noopener">Screening paper</a>'
    assert link in body
    assert "Trusted research environment or federated analysis" in body


def test_an_entry_filed_before_the_fields_existed_still_shows(client, registry):
    app = _active(registry)  # every new field blank
    response = client.get(reverse("register:detail", args=[app.reference]))
    assert response.status_code == 200
    assert "None reported yet." in response.content.decode()


def test_csv_and_json_export_the_hdruk_fields(client, registry):
    _active(registry, **GOVERNANCE)
    rows = list(csv.DictReader(io.StringIO(client.get(reverse("register:csv")).content.decode())))
    assert rows[0]["legal_basis_art9"] == "9_2_j"
    assert rows[0]["national_opt_out"] == "applied"
    assert rows[0]["access_type"] == "trusted_research_environment"
    assert rows[0]["research_outputs"] == (
        "Screening paper <https://doi.org/10.1000/xyz123>; Code on request"
    )
    entry = client.get(reverse("register:json")).json()["entries"][0]
    assert entry["confidentiality_basis"] == "section_251"
    assert entry["funders_sponsors"] == ["Wellcome Trust", "National Institute for Health Research"]
    assert entry["research_outputs"][0] == {
        "title": "Screening paper",
        "url": "https://doi.org/10.1000/xyz123",
    }
    assert entry["accredited_researcher"] == "yes"
    api = client.get("/api/v1/register/").json()["results"][0]
    assert api["legal_basis_art6"] == "6_1_e"


def test_the_json_schema_documents_the_hdruk_mapping(client):
    schema = client.get(reverse("register:schema")).json()
    properties = schema["properties"]["entries"]["items"]["properties"]
    assert properties["legal_basis_art6"]["x-hdruk"].startswith("Legal Basis")
    assert properties["national_opt_out"]["x-hdruk"] == "National Data Opt-out Applied"
    assert properties["accredited_researcher"]["x-hdruk"] == "Accredited Researcher Status"
    assert properties["reference"]["x-hdruk"] == "Project ID"
    assert "9_2_j" in properties["legal_basis_art9"]["enum"]


def test_the_governance_step_saves_and_refuses_unknown_choices(client, researcher):
    app = Application.objects.create(applicant=researcher, title="Draft study")
    client.force_login(researcher)
    url = reverse("applications:edit", args=[app.pk, "governance"])
    page = client.get(url)
    assert page.status_code == 200 and "Common-law duty of confidentiality basis" in (
        page.content.decode()
    )
    bad = client.post(url, {**GOVERNANCE, "legal_basis_art6": "6_1_z"})
    assert bad.status_code == 400
    app.refresh_from_db()
    assert app.legal_basis_art6 == ""  # nothing half-saved
    client.post(url, GOVERNANCE)
    app.refresh_from_db()
    assert app.legal_basis_art9 == "9_2_j" and app.accredited_researcher == "yes"


def test_the_api_takes_the_fields_and_answers_400_for_unknown_choices(api_client, researcher):
    api_client.force_authenticate(researcher)
    created = api_client.post(
        "/api/v1/applications/", {"title": "API study", **GOVERNANCE}, format="json"
    )
    assert created.status_code == 201, created.content
    assert created.json()["confidentiality_basis"] == "section_251"
    pk = created.json()["id"]
    bad = api_client.patch(
        f"/api/v1/applications/{pk}/", {"national_opt_out": "maybe"}, format="json"
    )
    assert bad.status_code == 400 and "national_opt_out" in bad.json()["error"]["fields"]


def test_a_submitted_version_freezes_the_fields(researcher, registry):
    from applications import versioning

    app = Application.objects.create(applicant=researcher, title="Frozen", **GOVERNANCE)
    content = versioning.snapshot(app)
    assert content["fields"]["legal_basis_art9"] == "9_2_j"
    labels = dict(versioning.readable(content))
    assert labels["Condition under GDPR article 9"] == (
        "Art. 9(2)(j) archiving, research or statistics"
    )
