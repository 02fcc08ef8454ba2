"""Financial redress reserves its money in the fund when offered (issue 10, item 6).

Everything is driven through the REST API and the officer's HTML page: an offer earmarks the
amount, an offer the available money cannot cover is refused, declining or withdrawing
releases it, delivering consumes it, and the fund shows balance, reserved and available.
"""

import pytest
from django.urls import reverse

from harms.models import HarmReport, RedressAction
from solidarity.audit.models import AuditEvent

from .conftest import requires_fund
from .factories import make_report

pytestmark = [pytest.mark.django_db, requires_fund]

REPORTS = "/api/v1/harm-reports/"
REDRESS = "/api/v1/redress-actions/"
BALANCES = "/api/v1/fund/transactions/balances/"


@pytest.fixture
def fund_12000(benefit_officer):
    from benefits.services import fund_receive

    fund_receive(actor=benefit_officer, amount_minor=12_000_00, currency="EUR", reason="Royalties")


def _reservations():
    from benefits.models import FundReservation

    return FundReservation.objects


def _triaged_report(api_client, officer):
    report, code = make_report()
    api_client.force_authenticate(officer)
    response = api_client.post(f"{REPORTS}{report.pk}/triage/", {"severity": "severe"})
    assert response.status_code == 200, response.content
    return report, code


def _offer(api_client, report, amount_minor, kind="financial"):
    return api_client.post(
        f"{REPORTS}{report.pk}/offer-redress/",
        {"kind": kind, "description": "Support", "amount_minor": amount_minor},
        format="json",
    )


def _position(api_client, who):
    api_client.force_authenticate(who)
    return api_client.get(BALANCES).json()["EUR"]


def test_second_offer_beyond_the_available_money_is_refused(
    api_client, fund_12000, harm_officer, benefit_officer
):
    first, _code = _triaged_report(api_client, harm_officer)
    second, _code = _triaged_report(api_client, harm_officer)
    assert _offer(api_client, first, 11_500_00).status_code == 201
    response = _offer(api_client, second, 11_000_00)
    assert response.status_code == 400
    error = response.json()["error"]
    assert "500.00 EUR" in error["message"] and "available" in error["message"]
    assert "amount" in error["fields"]
    # Nothing half-saved: no second offer, no second reservation, the report is unchanged.
    assert not RedressAction.objects.filter(report=second).exists()
    assert _reservations().count() == 1
    assert HarmReport.objects.get(pk=second.pk).state == "triaged"
    position = _position(api_client, benefit_officer)
    assert position["amount_minor"] == 12_000_00
    assert position["reserved_minor"] == 11_500_00
    assert position["available_minor"] == 500_00
    assert position["available"] == "500.00"
    event = AuditEvent.objects.get(action="fund.reserve")
    assert event.payload["amount_minor"] == 11_500_00
    assert event.payload["available_after"] == 500_00


def test_declining_releases_the_reservation(api_client, fund_12000, harm_officer, benefit_officer):
    report, code = _triaged_report(api_client, harm_officer)
    offer = _offer(api_client, report, 11_500_00).json()
    api_client.force_authenticate(None)
    response = api_client.post(f"{REDRESS}{offer['id']}/decline/", {"receipt_code": code})
    assert response.status_code == 200, response.content
    assert _position(api_client, benefit_officer)["available_minor"] == 12_000_00
    reservation = _reservations().get()
    assert reservation.state == "released"
    release = AuditEvent.objects.for_target(reservation).latest("id")
    assert release.action == "fund.release"
    assert (release.from_state, release.to_state) == ("open", "released")
    # The money can now be offered to someone else.
    other, _code = _triaged_report(api_client, harm_officer)
    assert _offer(api_client, other, 11_000_00).status_code == 201


def test_delivering_consumes_the_reservation(api_client, fund_12000, harm_officer, benefit_officer):
    report, code = _triaged_report(api_client, harm_officer)
    offer = _offer(api_client, report, 11_500_00).json()
    api_client.force_authenticate(None)
    api_client.post(f"{REDRESS}{offer['id']}/accept/", {"receipt_code": code})
    api_client.force_authenticate(harm_officer)
    response = api_client.post(f"{REDRESS}{offer['id']}/deliver/", {"note": "Paid"})
    assert response.status_code == 200, response.content
    position = _position(api_client, benefit_officer)
    assert (position["amount_minor"], position["reserved_minor"]) == (500_00, 0)
    assert position["available_minor"] == 500_00
    reservation = _reservations().get()
    assert reservation.state == "consumed" and reservation.transaction_id
    assert AuditEvent.objects.filter(action="fund.reservation_consume").count() == 1


def test_the_issue_scenario_cannot_strand_a_report(
    api_client, fund_12000, harm_officer, benefit_officer
):
    """12,000 in the fund, offers of 11,500 and 11,000: the second is refused at the offer, so
    no accepted offer can fail at delivery and leave its report stuck."""
    first, first_code = _triaged_report(api_client, harm_officer)
    second, _code = _triaged_report(api_client, harm_officer)
    offer = _offer(api_client, first, 11_500_00).json()
    assert _offer(api_client, second, 11_000_00).status_code == 400
    api_client.force_authenticate(None)
    api_client.post(f"{REDRESS}{offer['id']}/accept/", {"receipt_code": first_code})
    api_client.force_authenticate(harm_officer)
    assert api_client.post(f"{REDRESS}{offer['id']}/deliver/").status_code == 200
    response = api_client.post(f"{REPORTS}{first.pk}/resolve/", {"outcome": "Paid."})
    assert response.status_code == 200, response.content
    response = api_client.post(f"{REPORTS}{second.pk}/close/", {"reasons": "Nothing to pay."})
    assert response.status_code == 200, response.content


def test_officer_withdraws_an_accepted_offer_and_the_report_can_close_again(
    api_client, fund_12000, harm_officer, benefit_officer
):
    report, code = _triaged_report(api_client, harm_officer)
    offer = _offer(api_client, report, 11_500_00).json()
    api_client.force_authenticate(None)
    api_client.post(f"{REDRESS}{offer['id']}/accept/", {"receipt_code": code})
    api_client.force_authenticate(harm_officer)
    # Before withdrawal the report is stuck: redress is still pending.
    assert api_client.post(f"{REPORTS}{report.pk}/resolve/", {"outcome": "x"}).status_code == 409
    response = api_client.post(
        f"{REDRESS}{offer['id']}/withdraw/", {"reason": "The payment route failed."}
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["state"] == "withdrawn" and body["withdrawal_reason"]
    assert _position(api_client, benefit_officer)["available_minor"] == 12_000_00
    report.refresh_from_db()
    assert report.state == "investigating"
    events = [e.action for e in AuditEvent.objects.order_by("id")]
    assert events[-3:] == ["fund.release", "redress.withdraw", "harm_report.withdraw_redress"]
    api_client.force_authenticate(harm_officer)
    response = api_client.post(f"{REPORTS}{report.pk}/close/", {"reasons": "Handled elsewhere."})
    assert response.status_code == 200, response.content


def test_withdrawing_one_of_two_offers_lets_the_report_be_resolved(
    api_client, fund_12000, harm_officer
):
    report, code = _triaged_report(api_client, harm_officer)
    apology = _offer(api_client, report, None, kind="apology").json()
    money = _offer(api_client, report, 100_00).json()
    api_client.force_authenticate(None)
    api_client.post(f"{REDRESS}{apology['id']}/decline/", {"receipt_code": code})
    api_client.force_authenticate(harm_officer)
    refer = api_client.post(f"{REPORTS}{report.pk}/refer/", {"referred_to": "DPA", "reasons": "x"})
    assert refer.status_code == 409  # the money offer is still pending
    api_client.post(f"{REDRESS}{money['id']}/withdraw/", {"reason": "Not needed."})
    report.refresh_from_db()
    assert report.state == "redress_offered"  # the declined apology remains on record
    response = api_client.post(f"{REPORTS}{report.pk}/resolve/", {"outcome": "Closed."})
    assert response.status_code == 200, response.content


@pytest.mark.parametrize("who", ["outsider", "auditor", "benefit_officer", "reporter"])
def test_only_harm_officers_withdraw(
    api_client, request, fund_12000, harm_officer, researcher, who
):
    report, _code = make_report(actor=researcher)
    api_client.force_authenticate(harm_officer)
    api_client.post(f"{REPORTS}{report.pk}/triage/", {"severity": "low"})
    offer = _offer(api_client, report, 100_00).json()
    actor = researcher if who == "reporter" else request.getfixturevalue(who)
    api_client.force_authenticate(actor)
    response = api_client.post(f"{REDRESS}{offer['id']}/withdraw/", {"reason": "x"})
    assert response.status_code in (403, 404)
    assert RedressAction.objects.get(pk=offer["id"]).state == "offered"
    assert _reservations().get().state == "open"


def test_withdrawal_needs_a_reason_and_an_undelivered_offer(api_client, fund_12000, harm_officer):
    report, code = _triaged_report(api_client, harm_officer)
    offer = _offer(api_client, report, 100_00).json()
    url = f"{REDRESS}{offer['id']}/withdraw/"
    assert api_client.post(url, {"reason": ""}).status_code == 400
    assert RedressAction.objects.get(pk=offer["id"]).state == "offered"
    api_client.force_authenticate(None)
    api_client.post(f"{REDRESS}{offer['id']}/accept/", {"receipt_code": code})
    api_client.force_authenticate(harm_officer)
    api_client.post(f"{REDRESS}{offer['id']}/deliver/")
    response = api_client.post(url, {"reason": "Too late"})
    assert response.status_code == 409
    assert RedressAction.objects.get(pk=offer["id"]).state == "delivered"


def test_officer_withdraws_through_the_report_page(client, fund_12000, harm_officer, api_client):
    report, _code = _triaged_report(api_client, harm_officer)
    offer = _offer(api_client, report, 2_000_00).json()
    client.force_login(harm_officer)
    page = client.get(reverse("harms:detail", args=[report.pk])).content.decode()
    # The offer form tells the officer what the fund can still promise.
    assert "Available in the solidarity fund for financial support: €10,000.00" in page
    assert reverse("harms:redress-withdraw", args=[offer["id"]]) in page
    assert "Withdraw the offer" in page
    response = client.post(
        reverse("harms:redress-withdraw", args=[offer["id"]]),
        {"withdraw-reason": "Offered by mistake."},
        follow=True,
    )
    assert response.status_code == 200
    assert "The offer was withdrawn." in response.content.decode()
    assert RedressAction.objects.get(pk=offer["id"]).state == "withdrawn"
    assert _reservations().get().state == "released"


def test_the_ledger_page_shows_balance_reserved_and_available(
    client, api_client, fund_12000, harm_officer, benefit_officer
):
    report, _code = _triaged_report(api_client, harm_officer)
    _offer(api_client, report, 11_500_00)
    client.force_login(benefit_officer)
    page = client.get(reverse("benefits:fund")).content.decode()
    row = page[page.index('data-currency="EUR"') :]
    row = row[: row.index("</tr>")]
    assert "€12,000.00" in row and "€11,500.00" in row and "€500.00" in row
    assert "Open reservations" in page and report.reference in page


def test_a_correction_cannot_take_away_reserved_money(
    api_client, fund_12000, harm_officer, benefit_officer
):
    from benefits.models import FundTransaction
    from benefits.services import InsufficientFunds, fund_adjust

    report, _code = _triaged_report(api_client, harm_officer)
    _offer(api_client, report, 11_500_00)
    inflow = FundTransaction.objects.get(kind="inflow")
    with pytest.raises(InsufficientFunds):
        fund_adjust(actor=benefit_officer, corrects=inflow, amount_minor=-600_00, reason="Typo")
    fund_adjust(actor=benefit_officer, corrects=inflow, amount_minor=-500_00, reason="Typo")
    assert _position(api_client, benefit_officer)["available_minor"] == 0
