"""The register's list keeps the same number of queries at 10 and at 10,000 entries, with the
HDR UK fields on every entry and the harm statistics per dataset and custodian (issue 15)."""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from applications.models import Application, DatasetRequest
from harms.models import HarmReport
from tests.factories import DatasetFactory, OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db


def _fill(n: int, start: int, *, applicant, organisation, dataset) -> None:
    now = timezone.now()
    apps = Application.objects.bulk_create(
        Application(
            applicant=applicant,
            organisation=organisation,
            title=f"Study {i}",
            state="active",
            reference=f"DSA-2026-{i:06d}",
            decided_at=now,
            activated_at=now,
            legal_basis_art6="6_1_e",
            legal_basis_art9="9_2_j",
            funders_sponsors="Wellcome Trust",
            research_outputs=f"Paper {i} https://example.org/{i}",
        )
        for i in range(start, start + n)
    )
    DatasetRequest.objects.bulk_create(
        DatasetRequest(application=a, dataset=dataset, access_mode="federated") for a in apps
    )


def _reports_naming(datasets, per_dataset: int) -> None:
    """``per_dataset`` reports naming each dataset, and as many naming two of them."""
    from .test_disclosure import _make_reports

    before = HarmReport.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    _make_reports([(["financial"], "received", 2026)] * (2 * per_dataset * len(datasets)))
    reports = list(HarmReport.objects.filter(pk__gt=before).values_list("pk", flat=True))
    through = HarmReport.datasets.through
    links = []
    for i, dataset in enumerate(datasets):
        mine = reports[2 * i * per_dataset : 2 * (i + 1) * per_dataset]
        links += [through(harmreport_id=pk, dataset_id=dataset.pk) for pk in mine]
        other = datasets[(i + 1) % len(datasets)]
        links += [through(harmreport_id=pk, dataset_id=other.pk) for pk in mine[per_dataset:]]
    through.objects.bulk_create(links)


def _queries(client, path) -> int:
    # The rows are written straight to the tables, not through the audited services that
    # move the register's cache on: the cache is cleared as a change would.
    cache.clear()
    client.get(path)
    cache.clear()
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(path)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_register_list_and_api_run_the_same_queries_at_10_and_10000_entries(client):
    applicant = UserFactory(roles=["researcher"])
    organisation = OrganisationFactory()
    dataset = DatasetFactory()
    kwargs = {"applicant": applicant, "organisation": organisation, "dataset": dataset}
    _fill(10, 0, **kwargs)
    _reports_naming([dataset, DatasetFactory(custodian=dataset.custodian)], 6)
    few = {path: _queries(client, path) for path in (reverse("register:list"), "/api/v1/register/")}
    _fill(9_990, 10, **kwargs)
    _reports_naming([DatasetFactory() for _i in range(40)], 7)
    many = {
        path: _queries(client, path) for path in (reverse("register:list"), "/api/v1/register/")
    }
    assert many == few
    cache.clear()
    body = client.get(reverse("register:list")).content.decode()
    assert "DSA-2026-009999" in body  # newest decision first, the page shows 20 of 10,000
    assert body.count("<td>21</td>") >= 80  # 40 datasets and their custodians: 14 + 7 each
