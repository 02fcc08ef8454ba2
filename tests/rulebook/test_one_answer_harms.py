"""The HTML, the API and the services give the rulebook's answer to "may this actor do this
now?" for every move of the harm-report and redress rulebooks (``harms.rules``), in every
state, for every role: the panel, auditors, the chair, custodians, outsiders, the signed-in
reporter and the anonymous reporter holding the receipt code."""

import re

import pytest
from django.db import transaction
from django.utils import timezone

from harms import rules, services
from harms.models import HarmReport, HarmReportState, RedressAction, RedressState
from harms.permissions import ReceiptHolder
from solidarity.errors import DomainError, PermissionDenied, TransitionNotAllowed
from tests.harms.factories import REPORT

ROLES = ["harm_officer", "auditor", "chair", "custodian", "outsider", "researcher", "receipt"]
TEXT = "Written for the test."

# Each report move: its service, the service's arguments, and the API's body.
REPORT_MOVES = {
    "acknowledge": (services.harm_report_acknowledge, {"message": TEXT}, {"note": TEXT}),
    "triage": (services.harm_report_triage, {"severity": "low"}, {"severity": "low"}),
    "investigate": (services.harm_report_investigate, {}, {}),
    "offer-redress": (
        services.redress_offer,
        {"kind": "apology", "description": TEXT},
        {"kind": "apology", "description": TEXT},
    ),
    "resolve": (services.harm_report_resolve, {"outcome": TEXT}, {"outcome": TEXT}),
    "close": (services.harm_report_close, {"reasons": TEXT}, {"reasons": TEXT}),
    "refer": (
        services.harm_report_refer,
        {"referred_to": "The authority", "reasons": TEXT},
        {"referred_to": "The authority", "reasons": TEXT},
    ),
    "appeal": (services.harm_report_appeal, {"grounds": TEXT}, {"grounds": TEXT}),
}
PAYMENT = {"account_holder": "Dana Example", "iban": "AT611904300234573201"}
REDRESS_MOVES = {
    "accept": (services.redress_accept, {}, {}),
    "decline": (services.redress_decline, {}, {}),
    "deliver": (services.redress_deliver, {}, {}),
    "withdraw": (services.redress_withdraw, {"reason": TEXT}, {"reason": TEXT}),
    "payment-details": (services.redress_payment_details_give, PAYMENT, PAYMENT),
}


class Rollback(Exception):
    pass


def _tried(service, **kwargs) -> bool:
    """Whether the service call succeeds (rolled back either way); refusals answer False."""
    try:
        with transaction.atomic():
            service(**kwargs)
            raise Rollback
    except Rollback:
        return True
    except (PermissionDenied, TransitionNotAllowed):
        return False
    except DomainError as exc:  # allowed, but the test's object lacks something else
        raise AssertionError(exc.message) from exc


def _posted(client, url, data) -> bool:
    try:
        with transaction.atomic():
            response = client.post(url, data, format="json")
            raise Rollback
    except Rollback:
        pass
    assert response.status_code in (200, 201, 401, 403, 404, 409), (url, response.content)
    return response.status_code in (200, 201)


def test_every_declared_move_is_covered_here():
    assert {t.name for t in rules.HARM_REPORT if t.offered} == set(REPORT_MOVES)
    assert {t.name for t in rules.REDRESS if t.offered} == set(REDRESS_MOVES)


@pytest.fixture
def reported(researcher):
    """A report by a signed-in reporter, and the receipt code of an anonymous one."""
    signed, _none = services.harm_report_create(actor=researcher, **REPORT)
    anonymous, code = services.harm_report_create(actor=None, **REPORT)
    return signed, anonymous, code


def _actor(request, role, report, client, api_client, code):
    """The actor for a role; signs the clients in (or proves the receipt code)."""
    client.logout()
    api_client.force_authenticate(None)
    if role == "receipt":
        session = client.session
        session["harms_receipt_report"] = report.pk
        session.save()
        return ReceiptHolder(report_id=report.pk), {"receipt_code": code}
    user = request.getfixturevalue(role)
    client.force_login(user)
    api_client.force_authenticate(user)
    return user, {}


@pytest.mark.parametrize("state", HarmReportState.values)
def test_report_moves_agree_with_the_rulebook(
    request, client, api_client, reported, harm_officer, state
):
    signed, anonymous, code = reported
    decided = state in ("resolved", "closed_no_action", "referred")
    HarmReport.objects.filter(pk__in=[signed.pk, anonymous.pk]).update(
        state=state, decided_at=timezone.now() if decided else None
    )
    disagreements = []
    for role in ROLES:
        report = anonymous if role == "receipt" else signed
        fresh = HarmReport.objects.get(pk=report.pk)
        actor, extra = _actor(request, role, fresh, client, api_client, code)
        page = client.get(f"/harms/{fresh.pk}/" if role != "receipt" else "/harms/status/")
        html = page.content.decode() if page.status_code == 200 else ""
        buttons = set(re.findall(rf'action="/harms/{fresh.pk}/([a-z-]+)/"', html))
        for name, (service, kwargs, body) in REPORT_MOVES.items():
            expected = rules.allows(rules.HARM_REPORT, name, actor, fresh)
            url = f"/api/v1/harm-reports/{fresh.pk}/{name}/"
            answers = {
                "html": name in buttons,
                "api": _posted(api_client, url, {**body, **extra}),
                "service": _tried(
                    service, actor=actor, report=HarmReport.objects.get(pk=fresh.pk), **kwargs
                ),
            }
            if any(answer != expected for answer in answers.values()):
                disagreements.append((role, name, expected, answers))
    assert not disagreements, disagreements


@pytest.fixture
def fund(benefit_officer):
    from benefits.services import fund_receive

    fund_receive(actor=benefit_officer, amount_minor=500_00, currency="EUR", reason="Royalties")


@pytest.mark.parametrize("kind", ["data_correction", "financial", "apology"])
@pytest.mark.parametrize("state", RedressState.values)
def test_redress_moves_agree_with_the_rulebook(
    request, client, api_client, reported, harm_officer, dataset, fund, kind, state
):
    signed, anonymous, code = reported
    actions = {}
    for report in (signed, anonymous):
        services.harm_report_triage(actor=harm_officer, report=report, severity="low")
        actions[report.pk] = services.redress_offer(
            actor=harm_officer,
            report=report,
            kind=kind,
            description=TEXT,
            amount_minor=100_00 if kind == "financial" else None,
            # An apology names a dataset too: its custodian must still not deliver it.
            dataset=dataset if kind != "financial" else None,
        )
    RedressAction.objects.filter(pk__in=[a.pk for a in actions.values()]).update(state=state)
    disagreements = []
    for role in ROLES:
        report = anonymous if role == "receipt" else signed
        item = RedressAction.objects.select_related("report").get(pk=actions[report.pk].pk)
        actor, extra = _actor(request, role, item.report, client, api_client, code)
        html = ""
        pages = ["/harms/status/"] if role == "receipt" else [f"/harms/{report.pk}/"]
        pages.append(f"/harms/redress/{item.pk}/")
        for path in pages:
            page = client.get(path)
            html += page.content.decode() if page.status_code == 200 else ""
        buttons = set(re.findall(rf'action="/harms/redress/{item.pk}/([a-z-]+)/"', html))
        for name, (service, kwargs, body) in REDRESS_MOVES.items():
            expected = rules.allows(rules.REDRESS, name, actor, item)
            url = f"/api/v1/redress-actions/{item.pk}/{name}/"
            answers = {
                "html": name in buttons,
                "api": _posted(api_client, url, {**body, **extra}),
                "service": _tried(
                    service, actor=actor, action=RedressAction.objects.get(pk=item.pk), **kwargs
                ),
            }
            if any(answer != expected for answer in answers.values()):
                disagreements.append((role, name, expected, answers))
    assert not disagreements, disagreements
