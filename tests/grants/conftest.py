import pytest

from grants import services
from tests.applications import factories as app_factories
from tests.factories import DatasetFactory


@pytest.fixture(autouse=True)
def _only_the_custodians_grant_activates(monkeypatch):
    """Benefits adds a signed-agreement check; these tests start from custodians' grants."""
    from applications import activation

    monkeypatch.setattr(activation, "_checks", [activation.datasets_granted])


@pytest.fixture
def dataset(organisation):
    return DatasetFactory(
        custodian=organisation, title="Diabetes records", consent_modifiers=["DUO:0000046"]
    )


@pytest.fixture
def other_dataset(other_organisation):
    return DatasetFactory(custodian=other_organisation, title="Cancer registry")


@pytest.fixture
def active(researcher, secretariat, chair, custodian, other_custodian, dataset, other_dataset):
    """An active project on two datasets of two organisations, granted by both custodians."""
    application = app_factories.approved(
        researcher, secretariat, chair, datasets=[dataset, other_dataset]
    )
    from applications import services as app_services

    for request in application.dataset_requests.select_related("dataset"):
        who = custodian if request.dataset_id == dataset.pk else other_custodian
        app_services.dataset_request_grant(actor=who, dataset_request=request)
    application.refresh_from_db()
    assert application.state == "active"
    return application


@pytest.fixture
def node_with_credential(custodian, organisation):
    node, credential, secret = services.node_register(
        actor=custodian, organisation=organisation, name="Vienna TRE"
    )
    return node, credential, secret


@pytest.fixture
def node_client(node_with_credential):
    from rest_framework.test import APIClient

    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {node_with_credential[1]}")
    return client


@pytest.fixture
def other_node_client(other_custodian, other_organisation):
    from rest_framework.test import APIClient

    _, credential, _ = services.node_register(
        actor=other_custodian, organisation=other_organisation, name="Lyon node"
    )
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {credential}")
    return client
