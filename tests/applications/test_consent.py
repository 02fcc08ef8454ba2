"""Consent compatibility: the stated purpose against each dataset's DUO terms."""

import pytest

from applications import selectors, services
from tests.factories import DatasetFactory, OrganisationFactory

from . import factories


def terms(application):
    return sorted(c.term for c in selectors.consent_conflicts(application))


@pytest.fixture
def alice(researcher):
    return researcher


def test_no_conflict_for_health_research_on_health_consent(alice):
    dataset = DatasetFactory(consent_use="DUO:0000006")
    assert terms(factories.complete_draft(alice, datasets=[dataset])) == []


def test_general_purpose_conflicts_with_health_only_consent(alice):
    dataset = DatasetFactory(consent_use="DUO:0000006")
    application = factories.complete_draft(alice, datasets=[dataset], research_use="DUO:0000042")
    conflicts = selectors.consent_conflicts(application)
    assert [c.term for c in conflicts] == ["DUO:0000006"]
    assert conflicts[0].dataset == dataset
    assert "health" in conflicts[0].message


def test_disease_specific_consent_needs_the_same_disease(alice):
    dataset = DatasetFactory(consent_use="DUO:0000007", consent_disease="cancer")
    application = factories.complete_draft(
        alice, datasets=[dataset], research_use="DUO:0000007", research_disease="Diabetes"
    )
    assert terms(application) == ["DUO:0000007"]
    services.application_update_draft(
        actor=alice, application=application, research_disease="Breast cancer"
    )
    application.refresh_from_db()
    assert terms(application) == []


def test_modifiers_are_checked(alice):
    dataset = DatasetFactory(
        consent_use="DUO:0000042",
        consent_modifiers=["DUO:0000046", "DUO:0000021", "DUO:0000022", "DUO:0000019"],
        consent_regions="AT, DE",
    )
    application = factories.complete_draft(
        alice,
        datasets=[dataset],
        commercial_involvement=True,
        commercial_details="Pharma partner",
        ethics_approval=False,
        research_countries="AT, US",
        will_publish=False,
    )
    assert terms(application) == ["DUO:0000019", "DUO:0000021", "DUO:0000022", "DUO:0000046"]
    services.application_update_draft(
        actor=alice,
        application=application,
        commercial_involvement=False,
        ethics_approval=True,
        research_countries="at",
        will_publish=True,
    )
    application.refresh_from_db()
    assert terms(application) == []


def test_collaboration_required_is_met_by_a_team_member_from_the_custodian(alice):
    custodian = OrganisationFactory(name="Registry Lyon")
    dataset = DatasetFactory(custodian=custodian, consent_modifiers=["DUO:0000020"])
    application = factories.complete_draft(alice, datasets=[dataset])
    assert terms(application) == ["DUO:0000020"]
    services.application_team_member_add(
        actor=alice, application=application, name="Lu", role="Co-I", organisation="Registry Lyon"
    )
    assert terms(application) == []


def test_not_for_profit_only_conflicts_with_a_company_applicant(alice):
    company = OrganisationFactory(name="Helix", kind="company")
    from solidarity.catalog.services import membership_add

    membership_add(actor=None, user=alice, organisation=company)
    dataset = DatasetFactory(consent_modifiers=["DUO:0000045"])
    application = factories.complete_draft(alice, datasets=[dataset])
    assert terms(application) == ["DUO:0000045"]


def test_conflicts_are_shown_to_custodians_after_submission(client, alice, custodian, organisation):
    dataset = DatasetFactory(custodian=organisation, consent_modifiers=["DUO:0000021"])
    application = factories.submitted(alice, datasets=[dataset], ethics_approval=False)
    client.force_login(custodian)
    body = client.get(f"/applications/{application.pk}/").content.decode()
    assert "Ethics approval required" in body
    request = application.dataset_requests.get()
    body = client.get(f"/applications/requests/{request.pk}/").content.decode()
    assert "DUO:0000021" in body
