"""A researcher of the same organisation with no link to the application sees nothing of its
benefit agreement (issue 17, item 6): not in the API list, detail or page."""

import pytest
from django.urls import reverse

from solidarity.catalog import services as catalog_services
from tests.factories import UserFactory


@pytest.fixture
def colleague(university):
    """Another researcher of the applicant's university, with no part in the application."""
    user = UserFactory(username="colette", roles=["researcher"])
    catalog_services.membership_add(actor=None, user=user, organisation=university)
    return user


def test_colleague_cannot_read_the_agreement_by_api(api_client, colleague, signed):
    api_client.force_authenticate(colleague)
    listed = api_client.get("/api/v1/benefit-agreements/").json()
    assert listed["count"] == 0
    assert api_client.get(f"/api/v1/benefit-agreements/{signed.pk}/").status_code == 404
    obligations = api_client.get("/api/v1/obligations/")
    assert obligations.status_code in (200, 403)
    if obligations.status_code == 200:
        assert obligations.json()["count"] == 0


def test_colleague_cannot_open_the_agreement_page(client, colleague, signed):
    client.force_login(colleague)
    assert client.get(reverse("benefits:agreement-detail", args=[signed.pk])).status_code == 404
    assert (
        signed.application.title
        not in client.get(reverse("benefits:agreement-list")).content.decode()
    )
    obligation = signed.obligations.first()
    url = reverse("benefits:obligation-report", args=[obligation.pk])
    assert client.get(url).status_code == 404


def test_the_applicant_still_reads_it(api_client, researcher, signed):
    api_client.force_authenticate(researcher)
    assert api_client.get(f"/api/v1/benefit-agreements/{signed.pk}/").status_code == 200
