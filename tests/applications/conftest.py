import pytest

from tests.factories import DatasetFactory

from . import factories


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    # Users are made by the dozen here; a fast hasher keeps the suite quick.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _only_our_activation_check(monkeypatch):
    """Other apps add their own activation checks (a signed benefit agreement, ...); these
    tests prove this app's rule, and test the registry with a check of their own."""
    from applications import activation

    monkeypatch.setattr(activation, "_checks", [activation.datasets_granted])


@pytest.fixture
def dataset(organisation):
    return DatasetFactory(custodian=organisation, title="Diabetes records")


@pytest.fixture
def other_dataset(other_organisation):
    return DatasetFactory(custodian=other_organisation, title="Cancer registry")


@pytest.fixture
def draft(researcher, dataset):
    return factories.complete_draft(researcher, datasets=[dataset])


@pytest.fixture
def submitted(researcher, dataset):
    return factories.submitted(researcher, datasets=[dataset])


@pytest.fixture
def in_review(researcher, secretariat, dataset):
    return factories.in_review(researcher, secretariat, datasets=[dataset])


@pytest.fixture
def approved(researcher, secretariat, chair, dataset, other_dataset):
    return factories.approved(researcher, secretariat, chair, datasets=[dataset, other_dataset])


@pytest.fixture
def active(researcher, secretariat, chair, custodian, dataset):
    return factories.active(researcher, secretariat, chair, custodian, datasets=[dataset])
