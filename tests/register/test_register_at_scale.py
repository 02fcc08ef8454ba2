"""The register's list keeps the same number of queries at 10 and at 10,000 entries, with the
HDR UK fields on every entry (issue 15)."""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from applications.models import Application, DatasetRequest
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
    few = {path: _queries(client, path) for path in (reverse("register:list"), "/api/v1/register/")}
    _fill(9_990, 10, **kwargs)
    many = {
        path: _queries(client, path) for path in (reverse("register:list"), "/api/v1/register/")
    }
    assert many == few
    cache.clear()
    body = client.get(reverse("register:list")).content.decode()
    assert "DSA-2026-009999" in body  # newest decision first, the page shows 20 of 10,000
