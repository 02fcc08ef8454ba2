import pytest
from django.urls import reverse

from harms import services
from harms.models import RedressAction
from harms.permissions import ReceiptHolder
from solidarity.audit.models import AuditEvent
from solidarity.errors import DomainError, PermissionDenied, TransitionNotAllowed
from tests.factories import DatasetFactory

from .conftest import requires_fund

pytestmark = pytest.mark.django_db


def _offer(report, officer, kind="apology", **kw):
    return services.redress_offer(
        actor=officer, report=report, kind=kind, description=kw.pop("description", "Offer"), **kw
    )


def _fund(officer, amount_minor):
    from benefits.services import fund_receive

    fund_receive(actor=officer, amount_minor=amount_minor, currency="EUR", reason="Royalties")


def _balance():
    from benefits.selectors import fund_balance

    return fund_balance(currency="EUR")


def test_reporter_accepts_with_the_code_and_officer_delivers(investigating, harm_officer):
    action = _offer(investigating, harm_officer)
    holder = ReceiptHolder(report_id=investigating.pk)
    services.redress_accept(actor=holder, action=action)
    action.refresh_from_db()
    assert action.state == "accepted" and action.responded_at
    event = AuditEvent.objects.for_target(action).latest("id")
    assert event.action == "redress.accept" and (event.from_state, event.to_state) == (
        "offered",
        "accepted",
    )
    services.redress_deliver(actor=harm_officer, action=action, note="Letter sent")
    action.refresh_from_db()
    assert action.state == "delivered" and action.delivered_at and action.delivered_by
    assert AuditEvent.objects.for_target(action).latest("id").action == "redress.deliver"


def test_reporter_declines(investigating, harm_officer):
    action = _offer(investigating, harm_officer)
    services.redress_decline(actor=ReceiptHolder(report_id=investigating.pk), action=action)
    action.refresh_from_db()
    assert action.state == "declined"
    with pytest.raises(TransitionNotAllowed):
        services.redress_accept(actor=harm_officer, action=action)
    with pytest.raises(TransitionNotAllowed):
        services.redress_deliver(actor=harm_officer, action=action)


def test_an_offer_cannot_be_delivered_before_it_is_accepted(investigating, harm_officer):
    action = _offer(investigating, harm_officer)
    with pytest.raises(TransitionNotAllowed):
        services.redress_deliver(actor=harm_officer, action=action)


@pytest.mark.parametrize("who", ["outsider", "auditor", "researcher", "other_code"])
def test_strangers_cannot_answer_an_offer(who, request, investigating, harm_officer):
    action = _offer(investigating, harm_officer)
    actor = (
        ReceiptHolder(report_id=investigating.pk + 99)
        if who == "other_code"
        else request.getfixturevalue(who)
    )
    with pytest.raises(PermissionDenied):
        services.redress_accept(actor=actor, action=action)


@pytest.mark.parametrize("who", ["auditor", "chair", "benefit_officer"])
def test_only_harm_officers_offer_and_deliver(who, request, investigating, harm_officer):
    with pytest.raises(PermissionDenied):
        _offer(investigating, request.getfixturevalue(who))
    action = _offer(investigating, harm_officer)
    services.redress_accept(actor=harm_officer, action=action)
    with pytest.raises(PermissionDenied):
        services.redress_deliver(actor=request.getfixturevalue(who), action=action)


@pytest.mark.parametrize("state", ["received", "resolved", "closed_no_action", "referred"])
def test_redress_cannot_be_offered_from(state, report, harm_officer):
    from harms.models import HarmReport

    HarmReport.objects.filter(pk=report.pk).update(state=state)
    with pytest.raises(TransitionNotAllowed):
        _offer(report, harm_officer)


def test_financial_redress_needs_an_amount(investigating, harm_officer):
    with pytest.raises(DomainError):
        _offer(investigating, harm_officer, kind="financial")


def test_data_deletion_goes_to_the_custodian_who_completes_it(
    client, investigating, harm_officer, custodian, other_custodian, organisation
):
    from solidarity.notifications.models import Notification

    dataset = DatasetFactory(custodian=organisation)
    action = _offer(investigating, harm_officer, kind="data_deletion", dataset=dataset)
    services.redress_accept(actor=ReceiptHolder(report_id=investigating.pk), action=action)
    assert Notification.objects.filter(recipient=custodian, kind="redress.data_request").exists()
    client.force_login(other_custodian)
    assert client.get(reverse("harms:redress", args=[action.pk])).status_code == 404
    with pytest.raises(PermissionDenied):
        services.redress_deliver(actor=other_custodian, action=action)
    client.force_login(custodian)
    home = client.get(reverse("home")).content.decode()
    assert "Data requests from the harm panel" in home
    assert reverse("harms:redress", args=[action.pk]) in home
    page = client.get(reverse("harms:redress", args=[action.pk])).content.decode()
    assert "Dana" not in page and "dana@example.org" not in page  # no reporter identity
    response = client.post(
        reverse("harms:redress-deliver", args=[action.pk]), {"deliver-note": "Rows erased"}
    )
    assert response.status_code == 302
    action.refresh_from_db()
    assert action.state == "delivered" and action.delivered_by == custodian


def test_reporter_accepts_through_the_status_page(
    client, investigating, receipt_code, harm_officer
):
    action = _offer(investigating, harm_officer, description="A written apology")
    client.post(reverse("harms:status"), {"code": receipt_code})
    assert "A written apology" in client.get(reverse("harms:status")).content.decode()
    response = client.post(reverse("harms:redress-answer", args=[action.pk, "accept"]))
    assert response["Location"] == reverse("harms:status")
    action.refresh_from_db()
    assert action.state == "accepted"


def test_without_the_code_an_offer_cannot_be_answered(client, investigating, harm_officer):
    action = _offer(investigating, harm_officer)
    assert (
        client.post(reverse("harms:redress-answer", args=[action.pk, "accept"])).status_code == 404
    )
    action.refresh_from_db()
    assert action.state == "offered"


@requires_fund
def test_financial_redress_is_paid_from_the_fund(investigating, harm_officer, benefit_officer):
    _fund(benefit_officer, 100_00)
    action = _offer(investigating, harm_officer, kind="financial", amount_minor=40_00)
    assert action.currency == "EUR"
    services.redress_accept(actor=ReceiptHolder(report_id=investigating.pk), action=action)
    services.redress_deliver(actor=harm_officer, action=action)
    action.refresh_from_db()
    assert action.state == "delivered" and action.fund_transaction_id
    assert _balance() == 60_00
    assert AuditEvent.objects.filter(action="fund.disburse").count() == 1


@requires_fund
def test_financial_redress_cannot_overdraw_the_fund(investigating, harm_officer, benefit_officer):
    """Each offer reserves its money, so a later offer cannot promise what an earlier took."""
    _fund(benefit_officer, 50_00)
    with pytest.raises(DomainError):  # refused at the offer: more than the fund holds
        _offer(investigating, harm_officer, kind="financial", amount_minor=80_00)
    action = _offer(investigating, harm_officer, kind="financial", amount_minor=40_00)
    with pytest.raises(DomainError):  # only 10.00 is still available
        _offer(investigating, harm_officer, kind="financial", amount_minor=30_00)
    services.redress_accept(actor=harm_officer, action=action)
    services.redress_deliver(actor=harm_officer, action=action)
    assert RedressAction.objects.filter(kind="financial").count() == 1
    assert _balance() == 10_00


@requires_fund
def test_an_offer_beyond_the_available_money_shows_a_message(
    client, investigating, harm_officer, benefit_officer
):
    from benefits.services import InsufficientFunds, fund_disburse

    _fund(benefit_officer, 10_00)
    _offer(investigating, harm_officer, kind="financial", amount_minor=10_00)
    with pytest.raises(InsufficientFunds):  # the reserved money cannot be paid to anyone else
        fund_disburse(actor=harm_officer, amount_minor=5_00, currency="EUR", reason="Other")
    client.force_login(harm_officer)
    response = client.post(
        reverse("harms:action", args=[investigating.pk, "offer-redress"]),
        {
            "offer-redress-kind": "financial",
            "offer-redress-description": "More support",
            "offer-redress-amount": "5.00",
        },
    )
    assert response.status_code == 400
    assert "0.00 EUR is available" in response.content.decode()
    assert RedressAction.objects.filter(kind="financial").count() == 1
