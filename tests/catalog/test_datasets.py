import pytest
from django.urls import reverse

from solidarity.audit.models import AuditEvent
from solidarity.catalog import services
from solidarity.catalog.models import Dataset
from solidarity.errors import PermissionDenied
from tests.factories import DatasetFactory

FORM = {
    "title": "Registry",
    "description": "A registry.",
    "population": "Residents.",
    "communities": "",
    "sensitivity": "moderate",
    "access_modes": ["federated"],
    "consent_use": "DUO:0000042",
    "is_active": "on",
}


@pytest.fixture
def dataset(organisation):
    return DatasetFactory(custodian=organisation, title="Diabetes records")


def test_custodian_edits_own_dataset_and_it_is_audited(client, custodian, dataset):
    client.force_login(custodian)
    response = client.post(
        reverse("catalog:dataset-update", args=[dataset.pk]), {**FORM, "title": "Renamed"}
    )
    assert response.status_code == 302
    dataset.refresh_from_db()
    assert dataset.title == "Renamed"
    event = AuditEvent.objects.for_target(dataset).latest("id")
    assert event.action == "dataset.update"
    assert event.actor == custodian


@pytest.mark.parametrize("who", ["other_custodian", "researcher", "outsider", "auditor"])
def test_others_cannot_edit_a_dataset(client, request, dataset, who):
    client.force_login(request.getfixturevalue(who))
    url = reverse("catalog:dataset-update", args=[dataset.pk])
    assert client.get(url).status_code == 403
    assert client.post(url, {**FORM, "title": "Hijacked"}).status_code == 403
    dataset.refresh_from_db()
    assert dataset.title == "Diabetes records"


def test_service_refuses_other_custodian(other_custodian, dataset):
    with pytest.raises(PermissionDenied):
        services.dataset_update(actor=other_custodian, dataset=dataset, title="X")


def test_custodian_registers_only_for_own_organisation(
    client, custodian, organisation, other_organisation
):
    client.force_login(custodian)
    url = reverse("catalog:dataset-create")
    response = client.post(url, {**FORM, "custodian": other_organisation.pk})
    assert response.status_code == 200  # the other organisation is not a valid choice
    assert not Dataset.objects.filter(custodian=other_organisation).exists()
    response = client.post(url, {**FORM, "custodian": organisation.pk})
    assert response.status_code == 302
    assert Dataset.objects.get(title="Registry").custodian == organisation


def test_invalid_dataset_form_comes_back_with_errors_and_values(client, custodian, organisation):
    client.force_login(custodian)
    data = {**FORM, "custodian": organisation.pk, "access_modes": [], "title": "Kept title"}
    response = client.post(reverse("catalog:dataset-create"), data)
    assert response.status_code == 200
    body = response.content.decode()
    assert "This field is required" in body
    assert 'value="Kept title"' in body
    assert not Dataset.objects.filter(title="Kept title").exists()


def test_disease_specific_consent_needs_a_disease(client, custodian, organisation):
    client.force_login(custodian)
    data = {**FORM, "custodian": organisation.pk, "consent_use": "DUO:0000007"}
    response = client.post(reverse("catalog:dataset-create"), data)
    assert response.status_code == 200
    assert "Name the disease" in response.content.decode()


def test_researcher_cannot_register_datasets(client, researcher):
    client.force_login(researcher)
    assert client.get(reverse("catalog:dataset-create")).status_code == 403


def test_anonymous_cannot_browse(client, dataset):
    assert client.get(reverse("catalog:dataset-list")).status_code == 302


@pytest.mark.parametrize("rows", [1, 50])
def test_catalogue_list_runs_a_fixed_number_of_queries(
    client, researcher, django_assert_num_queries, rows
):
    DatasetFactory.create_batch(rows)
    client.force_login(researcher)
    client.get(reverse("catalog:dataset-list"))  # warm the content-type cache
    # user, roles (just signed in), guardian lookup of managed datasets, organisations for the
    # filter, count, page rows, membership check (session and badge from the cache)
    with django_assert_num_queries(7):
        response = client.get(reverse("catalog:dataset-list"))
    assert response.status_code == 200


def test_catalogue_filters(client, researcher, organisation, other_organisation):
    DatasetFactory(custodian=organisation, title="Alpha", access_modes=["federated"])
    DatasetFactory(custodian=other_organisation, title="Beta", access_modes=["transfer"])
    client.force_login(researcher)
    body = client.get(reverse("catalog:dataset-list"), {"access_mode": "transfer"}).content
    assert b"Beta" in body and b"Alpha" not in body
    body = client.get(reverse("catalog:dataset-list"), {"q": "alph"}).content
    assert b"Alpha" in body and b"Beta" not in body
