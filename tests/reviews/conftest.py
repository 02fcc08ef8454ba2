import pytest

from reviews import services
from tests.factories import DatasetFactory

from . import factories


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def framework(db):
    return services.framework_loaded(services.framework_ensure_default().pk)


@pytest.fixture
def dataset(organisation):
    return DatasetFactory(custodian=organisation, title="Diabetes records")


@pytest.fixture
def in_review(researcher, secretariat, dataset, framework):
    return factories.in_review(researcher, secretariat, datasets=[dataset])


@pytest.fixture
def submitted(researcher, dataset, framework):
    return factories.submitted(researcher, datasets=[dataset])


@pytest.fixture
def assignment(in_review, secretariat, reviewer):
    return factories.assign(in_review, secretariat, reviewer)


@pytest.fixture
def other_assignment(in_review, secretariat, other_reviewer):
    return factories.assign(in_review, secretariat, other_reviewer, role="ethics")
