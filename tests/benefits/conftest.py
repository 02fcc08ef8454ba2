import pytest

from solidarity.catalog import services as catalog_services
from tests.factories import OrganisationFactory

from .factories import ApprovedApplicationFactory, proposed_agreement, signed_agreement


@pytest.fixture
def university(researcher):
    org = OrganisationFactory(name="University of Vienna", kind="university")
    catalog_services.membership_add(actor=None, user=researcher, organisation=org)
    return org


@pytest.fixture
def application(researcher, university):
    return ApprovedApplicationFactory(applicant=researcher, organisation=university)


@pytest.fixture
def proposed(application, benefit_officer):
    return proposed_agreement(application, benefit_officer)


@pytest.fixture
def signed(application, benefit_officer):
    return signed_agreement(application, benefit_officer)
