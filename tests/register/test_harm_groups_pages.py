"""Reports per organisation holding the data and per dataset on the public register (issue
15): the page, the JSON and the CSV publish the same protected figures, equal to what the
reports hold where shown, that the attacker of ``test_disclosure_datasets`` cannot break;
a project's hidden total is not read off a dataset only it uses; nothing personal appears;
a new link to a dataset changes the figures."""

import csv
import io

import pytest
from django.urls import reverse

from applications.models import Application, DatasetRequest
from harms.models import HarmReport
from harms.services.reports import harm_report_triage
from solidarity.catalog.models import Dataset
from solidarity.register.selectors import _harm_family_version
from tests.factories import DatasetFactory, OrganisationFactory, UserFactory

from .test_disclosure import _make_reports
from .test_disclosure_datasets import dataset_attack

pytestmark = pytest.mark.django_db


def _reports_naming(datasets, n, *, application=None, reporter=None):
    before = set(HarmReport.objects.values_list("pk", flat=True))
    _make_reports([(["financial"], "received", 2026)] * n)
    for report in HarmReport.objects.exclude(pk__in=before):
        report.datasets.add(*datasets)
        if application is not None:
            report.applications.add(application)
        if reporter is not None:
            HarmReport.objects.filter(pk=report.pk).update(reporter=reporter)


def _truth():
    """The counts straight from the reports: per dataset, and per custodian the reports naming
    any of its datasets."""
    links = HarmReport.datasets.through.objects.values_list("harmreport_id", "dataset_id")
    custodian = dict(Dataset.objects.values_list("pk", "custodian__slug"))
    by_dataset, by_organisation = {}, {}
    for report, dataset in links:
        by_dataset.setdefault(dataset, set()).add(report)
        by_organisation.setdefault(custodian[dataset], set()).add(report)
    return {
        "by_dataset": {k: len(v) for k, v in by_dataset.items()},
        "by_organisation": {k: len(v) for k, v in by_organisation.items()},
    }


@pytest.fixture
def catalogue(db):
    """Three custodians: the clinic's datasets are named by 19 reports (7 name both), the
    registry's by 3 and the lab's by 6; 9 reports name no dataset."""
    clinic = OrganisationFactory(name="Vienna Clinic")
    registry = OrganisationFactory(name="Cancer Registry Office")
    records = DatasetFactory(custodian=clinic, title="Clinic records")
    imaging = DatasetFactory(custodian=clinic, title="Clinic imaging")
    cancer = DatasetFactory(custodian=registry, title="Cancer registry")
    lab = DatasetFactory(custodian=OrganisationFactory(name="Lab Institute"), title="Lab samples")
    reporter = UserFactory(first_name="Ingrid", last_name="Secretreporter")
    _reports_naming([records], 12, reporter=reporter)
    _reports_naming([records, imaging], 7)
    _reports_naming([cancer], 3)
    _reports_naming([lab], 6)
    _reports_naming([], 9)  # naming no dataset
    return {"records": records, "imaging": imaging, "cancer": cancer}


def test_the_register_publishes_reports_per_dataset_and_organisation(client, catalogue):
    stats = client.get(reverse("register:json")).json()["harm_statistics"]
    truth = _truth()
    datasets = {c["key"]: c for c in stats["by_dataset"]}
    organisations = {c["key"]: c for c in stats["by_organisation"]}
    assert datasets[catalogue["records"].pk]["count"] == 19
    assert datasets[catalogue["records"].pk]["organisation"] == "Vienna Clinic"
    assert datasets[catalogue["imaging"].pk]["count"] == 7
    assert datasets[catalogue["cancer"].pk]["count"] is None
    assert organisations["vienna-clinic"]["count"] == 19
    assert organisations["cancer-registry-office"]["display"] == "fewer than 5"
    assert organisations["lab-institute"]["count"] == 6
    assert datasets[catalogue["cancer"].pk]["display"] == "fewer than 5"
    for table in ("by_dataset", "by_organisation"):
        assert {c["key"] for c in stats[table]} == set(truth[table])
        for cell in stats[table]:
            assert cell["count"] in (None, truth[table][cell["key"]])
            assert cell["count"] not in range(1, 5)
    assert not dataset_attack(stats, stats["total"]["count"])
    # The page and the CSV say the same; nothing personal is published.
    page = client.get(reverse("register:list")).content.decode()
    assert "By organisation holding the data" in page and "By dataset" in page
    assert "<td>Clinic imaging</td><td>Vienna Clinic</td><td>7</td>" in page
    assert "<td>Cancer registry</td><td>Cancer Registry Office</td><td>fewer than 5</td>" in page
    assert "<td>Cancer Registry Office</td><td>fewer than 5</td>" in page
    rows = list(csv.DictReader(io.StringIO(client.get(reverse("register:harms_csv")).text)))
    published = {(r["table"], r["key"]): r["display"] for r in rows}
    for table in ("by_dataset", "by_organisation"):
        assert stats[table]
        for cell in stats[table]:
            assert published[(table, str(cell["key"]))] == cell["display"]
    exports = page + client.get(reverse("register:json")).text + str(rows)
    for secret in ("Secretreporter", "Ingrid", "Canary-what-happened"):
        assert secret not in exports


def test_a_hidden_project_total_is_not_read_off_the_only_dataset_it_uses(
    client, researcher, catalogue
):
    """The project has 22 of the register's 24 reports: its total is hidden (24 - 22 would be
    2). Its reports name the one dataset it uses, which no other project uses: that dataset's
    count (and its custodian's, holding nothing else named) would be the project's total."""
    HarmReport.objects.all().delete()
    custodian = OrganisationFactory(name="Only Holder")
    only = DatasetFactory(custodian=custodian, title="Sole dataset")
    project = Application.objects.create(
        applicant=researcher, title="Study", state="active", reference="DSA-2026-0901"
    )
    DatasetRequest.objects.create(application=project, dataset=only, access_mode="federated")
    _reports_naming([only], 22, application=project)
    _reports_naming([catalogue["records"]], 2)
    entry = client.get(f"/api/v1/register/{project.reference}/").json()["harms"]
    assert entry["total"]["count"] is None
    stats = client.get(reverse("register:json")).json()["harm_statistics"]
    assert stats["total"]["count"] == 24
    cells = {c["key"]: c for c in stats["by_dataset"] + stats["by_organisation"]}
    assert only.pk not in cells or cells[only.pk]["count"] is None
    assert "only-holder" not in cells or cells["only-holder"]["count"] is None
    published = [c["count"] for c in stats["by_dataset"] + stats["by_organisation"]]
    assert 22 not in published
    page = client.get(reverse("register:list")).content.decode()
    assert "<td>22</td>" not in page


def test_a_dataset_named_after_triage_or_renamed_changes_the_figures(
    client, catalogue, harm_officer
):
    before = client.get(reverse("register:json")).json()["harm_statistics"]
    version = _harm_family_version()
    report = HarmReport.objects.filter(datasets__isnull=True).order_by("pk").first()
    harm_report_triage(
        actor=harm_officer, report=report, severity="low", datasets=[catalogue["imaging"]]
    )
    assert _harm_family_version() != version
    after = client.get(reverse("register:json")).json()["harm_statistics"]
    imaging = catalogue["imaging"].pk
    count = {c["key"]: c["count"] for c in after["by_dataset"]}
    assert {c["key"]: c["count"] for c in before["by_dataset"]}[imaging] == 7
    assert count[imaging] == 8
    version = _harm_family_version()
    report.datasets.remove(catalogue["imaging"])
    assert _harm_family_version() != version
    client.get(reverse("register:json"))  # the figures of this version, kept
    imaging = catalogue["imaging"]
    imaging.title = "Clinic scans"
    imaging.save()
    after = client.get(reverse("register:json")).json()["harm_statistics"]
    assert {c["key"]: c["label"] for c in after["by_dataset"]}[imaging.pk] == "Clinic scans"


def test_few_reports_naming_datasets_publish_no_table(client, catalogue):
    HarmReport.objects.filter(datasets__isnull=False).exclude(datasets=catalogue["cancer"]).delete()
    stats = client.get(reverse("register:json")).json()["harm_statistics"]
    assert stats["by_dataset"] == [] and stats["by_organisation"] == []
    assert {"by_dataset", "by_organisation"} <= set(stats["withheld_tables"])
    assert "By dataset" not in client.get(reverse("register:list")).content.decode()


def test_the_json_schema_documents_the_tables_and_the_export_fits_it(client, catalogue):
    import jsonschema

    schema = client.get(reverse("register:schema")).json()
    tables = schema["properties"]["harm_statistics"]["properties"]
    fields = tables["by_dataset"]["items"]["properties"]
    assert {"key", "organisation", "organisation_key"} <= set(fields)
    assert "by_organisation" in tables
    body = client.get(reverse("register:json")).json()
    jsonschema.validate(body, schema)
    assert body["harm_statistics"]["by_dataset"]
