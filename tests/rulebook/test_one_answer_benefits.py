"""The HTML, the API and the services give the rulebook's answer to "may this actor do this
now?" for every offered move of the benefit agreement and obligation rulebooks
(``benefits/rules.py``), in every state, for every role."""

import re
from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from applications.models import Application
from benefits import rules, services
from benefits.models import (
    AgreementState,
    BenefitAgreement,
    Obligation,
    ObligationReport,
    ObligationState,
)
from solidarity.errors import PermissionDenied, TransitionNotAllowed
from tests.benefits.factories import ApprovedApplicationFactory, proposed_agreement

ROLES = ["researcher", "other_researcher", "benefit_officer", "chair", "auditor", "outsider"]
TEXT = "Written for the test."
API = "/api/v1"


class Rollback(Exception):
    pass


def _attempt(call) -> bool:
    """Run ``call`` in a transaction that is rolled back; True when the move was allowed."""
    try:
        with transaction.atomic():
            call()
            raise Rollback
    except Rollback:
        return True
    except (PermissionDenied, TransitionNotAllowed):
        return False


def _api_attempt(client, path, data) -> bool:
    response = None
    try:
        with transaction.atomic():
            response = client.post(path, data, format="json")
            raise Rollback
    except Rollback:
        pass
    assert response.status_code in (200, 201, 204, 403, 404, 409), (path, response.content)
    return response.status_code in (200, 201, 204)


# ---- the service each offered move runs, with what it needs ----------------------------


def _agreement_service(name, user, agreement):
    agreement = BenefitAgreement.objects.get(pk=agreement.pk)
    calls = {
        "propose": lambda: services.agreement_propose(actor=user, agreement=agreement),
        "sign": lambda: services.agreement_sign(
            actor=user, agreement=agreement, version=agreement.terms_version
        ),
        "reopen": lambda: services.agreement_reopen(actor=user, agreement=agreement, reason=TEXT),
        "terminate": lambda: services.agreement_terminate(
            actor=user, agreement=agreement, reason=TEXT
        ),
        "suspend-project": lambda: services.agreement_suspend_project(
            actor=user, agreement=agreement, reason=TEXT
        ),
    }
    return calls[name]


def _agreement_data(name, agreement):
    if name == "sign":
        return {"version": agreement.terms_version}
    return {"reason": TEXT} if rules.AGREEMENT[name].needs_text else {}


def _obligation_service(name, user, obligation):
    obligation = Obligation.objects.get(pk=obligation.pk)
    calls = {
        "report": lambda: services.obligation_report(
            actor=user, obligation=obligation, text=TEXT, amount_minor=obligation.amount_minor
        ),
        "verify": lambda: services.obligation_verify(actor=user, obligation=obligation),
        "reject": lambda: services.obligation_reject(
            actor=user, obligation=obligation, reason=TEXT
        ),
        "waive": lambda: services.obligation_waive(actor=user, obligation=obligation, reason=TEXT),
        "remove": lambda: services.obligation_remove(actor=user, obligation=obligation),
    }
    return calls[name]


def _obligation_data(name, obligation):
    if name == "report":
        return {"text": TEXT, "amount": "1500.00"}
    return {"reason": TEXT} if rules.OBLIGATION[name].needs_text else {}


def _offered(machine):
    return [t.name for t in machine if t.offered]


def test_every_offered_move_has_a_service_here():
    assert set(_offered(rules.AGREEMENT)) == {
        "propose",
        "sign",
        "reopen",
        "terminate",
        "suspend-project",
    }
    assert set(_offered(rules.OBLIGATION)) == {"report", "verify", "reject", "waive", "remove"}


@pytest.fixture
def agreement(researcher, benefit_officer):
    application = ApprovedApplicationFactory(applicant=researcher)
    # An active project, so that the chair's suspension and entry into force can happen.
    Application.objects.filter(pk=application.pk).update(
        state="active", activated_at=timezone.now()
    )
    application.refresh_from_db()
    return proposed_agreement(application, benefit_officer)


def _buttons(html, kind, pk):
    return set(re.findall(rf'action="/benefits/{kind}/{pk}/([a-z-]+)/"', html)) | set(
        re.findall(rf'href="/benefits/{kind}/{pk}/(report)/"', html)
    )


@pytest.mark.parametrize("state", AgreementState.values)
def test_agreement_moves_agree_with_the_rulebook(request, client, api_client, agreement, state):
    BenefitAgreement.objects.filter(pk=agreement.pk).update(state=state)
    disagreements = []
    for role in ROLES:
        user = request.getfixturevalue(role)
        fresh = BenefitAgreement.objects.select_related("application").get(pk=agreement.pk)
        client.force_login(user)
        api_client.force_authenticate(user)
        page = client.get(f"/benefits/agreements/{fresh.pk}/")
        html = page.content.decode() if page.status_code == 200 else ""
        buttons = _buttons(html, "agreements", fresh.pk)
        detail = api_client.get(f"{API}/benefit-agreements/{fresh.pk}/")
        assert detail.status_code in (200, 404)
        listed = set(detail.json()["actions"]) if detail.status_code == 200 else set()
        for name in _offered(rules.AGREEMENT):
            expected = rules.AGREEMENT.allows(name, user, fresh)
            answers = {
                "html": name in buttons,
                "api-offered": name in listed,
                "api": detail.status_code == 200
                and _api_attempt(
                    api_client,
                    f"{API}/benefit-agreements/{fresh.pk}/{name}/",
                    _agreement_data(name, fresh),
                ),
                "service": _attempt(_agreement_service(name, user, fresh)),
            }
            if any(answer != expected for answer in answers.values()):
                disagreements.append((role, name, expected, answers))
    assert not disagreements, disagreements


OBLIGATION_SITUATIONS = [
    (agreement_state, obligation_state)
    for agreement_state in (
        AgreementState.DRAFT,
        AgreementState.PROPOSED,
        AgreementState.IN_FORCE,
        AgreementState.TERMINATED,
    )
    for obligation_state in ObligationState.values
]


@pytest.mark.parametrize(("agreement_state", "obligation_state"), OBLIGATION_SITUATIONS)
def test_obligation_moves_agree_with_the_rulebook(
    request, client, api_client, agreement, researcher, agreement_state, obligation_state
):
    obligation = agreement.obligations.get()
    BenefitAgreement.objects.filter(pk=agreement.pk).update(state=agreement_state)
    Obligation.objects.filter(pk=obligation.pk).update(
        state=obligation_state, due_date=timezone.localdate() + timedelta(days=10)
    )
    if obligation_state == ObligationState.REPORTED:
        ObligationReport.objects.create(
            obligation=obligation,
            period_due=obligation.due_date,
            amount_minor=obligation.amount_minor,
            amount_due_minor=obligation.amount_minor,
            currency=obligation.currency,
            text="Paid.",
            reported_by=researcher,
        )
    disagreements = []
    for role in ROLES:
        user = request.getfixturevalue(role)
        fresh = Obligation.objects.select_related("agreement__application").get(pk=obligation.pk)
        client.force_login(user)
        api_client.force_authenticate(user)
        page = client.get(f"/benefits/agreements/{agreement.pk}/")
        html = page.content.decode() if page.status_code == 200 else ""
        buttons = _buttons(html, "obligations", fresh.pk)
        detail = api_client.get(f"{API}/obligations/{fresh.pk}/")
        assert detail.status_code in (200, 404)
        listed = set(detail.json()["actions"]) if detail.status_code == 200 else set()
        for name in _offered(rules.OBLIGATION):
            expected = rules.OBLIGATION.allows(name, user, fresh)
            answers = {
                "html": name in buttons,
                "api-offered": name in listed,
                "api": detail.status_code == 200
                and _api_attempt(
                    api_client,
                    f"{API}/obligations/{fresh.pk}/{name}/",
                    _obligation_data(name, fresh),
                ),
                "service": _attempt(_obligation_service(name, user, fresh)),
            }
            if any(answer != expected for answer in answers.values()):
                disagreements.append((role, name, expected, answers))
    assert not disagreements, disagreements


def test_moves_made_only_by_other_services_are_never_offered(client, api_client, agreement):
    """Entry into force, breach, cure, fulfilment, overdue and the outcome variants of a
    verification or rejection are made by the services, never a button or an action."""
    hidden = [t.name for t in rules.AGREEMENT if not t.offered] + [
        t.name for t in rules.OBLIGATION if not t.offered
    ]
    assert {"enter-force", "breach", "cure", "fulfil", "overdue", "verify-period"} <= set(hidden)
    obligation = agreement.obligations.get()
    api_client.force_authenticate(agreement.drafted_by)
    for name in [t.name for t in rules.AGREEMENT if not t.offered]:
        response = api_client.post(f"{API}/benefit-agreements/{agreement.pk}/{name}/", {})
        assert response.status_code in (404, 405), name
    for name in [t.name for t in rules.OBLIGATION if not t.offered]:
        response = api_client.post(f"{API}/obligations/{obligation.pk}/{name}/", {})
        assert response.status_code in (404, 405), name
