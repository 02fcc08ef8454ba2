"""Seams between the agreement page, the API and the services, closed by reading one rulebook
(``benefits/rules.py``). Each test failed before the rulebook: the page offered a move the API
did not have, or a service allowed a move the page did not offer."""

import pytest

from applications.models import Application
from benefits.models import AgreementState, BenefitAgreement, Obligation
from solidarity.audit.models import AuditEvent

from .factories import draft_agreement, fixed_payment

pytestmark = pytest.mark.django_db
API = "/api/v1"


def test_an_officer_reopens_an_agreement_over_the_api_as_on_the_page(
    api_client, benefit_officer, signed
):
    before = BenefitAgreement.objects.get(pk=signed.pk).state
    api_client.force_authenticate(benefit_officer)
    response = api_client.post(
        f"{API}/benefit-agreements/{signed.pk}/reopen/", {"reason": "A new dataset"}
    )
    assert response.status_code == 200, response.content
    assert response.json()["state"] == "draft"
    assert response.json()["state_reason"] == "A new dataset"
    event = AuditEvent.objects.filter(action="benefit_agreement.reopen").latest("id")
    assert (event.from_state, event.to_state, event.payload["reason"]) == (
        before,
        "draft",
        "A new dataset",
    )


def test_reopening_needs_a_reason_over_the_api(api_client, benefit_officer, signed):
    before = BenefitAgreement.objects.get(pk=signed.pk).state
    api_client.force_authenticate(benefit_officer)
    response = api_client.post(f"{API}/benefit-agreements/{signed.pk}/reopen/", {"reason": ""})
    assert response.status_code == 400
    assert "reason" in response.json()["error"]["fields"]
    assert BenefitAgreement.objects.get(pk=signed.pk).state == before


def test_the_chair_suspends_the_project_of_an_agreement_in_breach_over_the_api(
    api_client, chair, benefit_officer, signed
):
    Application.objects.filter(pk=signed.application_id).update(state="active")
    BenefitAgreement.objects.filter(pk=signed.pk).update(state=AgreementState.BREACHED)
    api_client.force_authenticate(benefit_officer)
    refused = api_client.post(
        f"{API}/benefit-agreements/{signed.pk}/suspend-project/", {"reason": "Unpaid"}
    )
    assert refused.status_code == 403
    api_client.force_authenticate(chair)
    response = api_client.post(
        f"{API}/benefit-agreements/{signed.pk}/suspend-project/", {"reason": "Unpaid"}
    )
    assert response.status_code == 200, response.content
    assert Application.objects.get(pk=signed.application_id).state == "suspended"
    assert AuditEvent.objects.filter(action="benefit_agreement.suspend_project").exists()


def test_an_officer_removes_an_obligation_of_a_draft_over_the_api(
    api_client, benefit_officer, application
):
    agreement = draft_agreement(application, benefit_officer)
    obligation = fixed_payment(agreement, benefit_officer)
    api_client.force_authenticate(benefit_officer)
    response = api_client.post(f"{API}/obligations/{obligation.pk}/remove/")
    assert response.status_code == 204, response.content
    assert not Obligation.objects.filter(pk=obligation.pk).exists()


def test_a_drafts_obligation_is_removed_not_waived(api_client, benefit_officer, application):
    """The page never offered "Waive" on a draft (its obligations are removed), but the
    service waived it."""
    agreement = draft_agreement(application, benefit_officer)
    obligation = fixed_payment(agreement, benefit_officer)
    api_client.force_authenticate(benefit_officer)
    response = api_client.post(
        f"{API}/obligations/{obligation.pk}/waive/", {"reason": "Not needed"}
    )
    assert response.status_code == 409, response.content
    assert Obligation.objects.get(pk=obligation.pk).state == "pending"


def test_the_api_says_what_the_user_may_do_and_what_is_awaited(
    api_client, researcher, benefit_officer, proposed
):
    api_client.force_authenticate(researcher)
    body = api_client.get(f"{API}/benefit-agreements/{proposed.pk}/").json()
    assert body["actions"] == ["sign"]
    assert body["awaiting"] == "Both signatures"
    api_client.force_authenticate(benefit_officer)
    body = api_client.get(f"{API}/benefit-agreements/{proposed.pk}/").json()
    assert set(body["actions"]) == {"sign", "reopen", "terminate"}
    obligation = body["obligations"][0]
    assert obligation["actions"] == ["waive"]
    assert obligation["awaiting"] == "The agreement to be signed"


def test_the_agreement_page_says_what_is_awaited(client, researcher, benefit_officer, proposed):
    from benefits import services

    services.agreement_sign(actor=researcher, agreement=proposed, version=1)
    client.force_login(researcher)
    page = client.get(f"/benefits/agreements/{proposed.pk}/").content.decode()
    assert "The committee&#x27;s signature" in page or "The committee's signature" in page
    assert f'action="/benefits/agreements/{proposed.pk}/sign/"' not in page
