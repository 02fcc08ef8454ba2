import pytest

from reviews import services
from tests.factories import DatasetFactory


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def framework(db):
    return services.framework_loaded(services.framework_ensure_default().pk)


@pytest.fixture
def dataset(organisation):
    return DatasetFactory(custodian=organisation, title="Diabetes records")
