"""Revenue shares are computed from the reported revenue; a short payment leaves its shortfall
open (issue 10, item 7). Driven through the REST API and the agreement page."""

from datetime import date, timedelta

import pytest
from django.urls import reverse

from benefits import selectors, services
from benefits.models import FundTransaction
from solidarity.audit.models import AuditEvent

from .factories import ApprovedApplicationFactory, draft_agreement

pytestmark = pytest.mark.django_db

OBLIGATIONS = "/api/v1/obligations/"


@pytest.fixture
def share(researcher, benefit_officer, university):
    """A signed commercial agreement with one 2 % revenue share due in ten days."""
    application = ApprovedApplicationFactory(applicant=researcher, organisation=university)
    agreement = draft_agreement(application, benefit_officer, kind="commercial")
    obligation = services.obligation_add(
        actor=benefit_officer,
        agreement=agreement,
        kind="revenue_share",
        description="2 % of the revenue from the risk score",
        beneficiary="fund",
        share_basis_points=200,
        due_date=date.today() + timedelta(days=10),
    )
    services.agreement_propose(actor=benefit_officer, agreement=agreement)
    services.agreement_sign(actor=researcher, agreement=agreement)
    services.agreement_sign(actor=benefit_officer, agreement=agreement)
    return obligation


def _report(api_client, researcher, share, **values):
    api_client.force_authenticate(researcher)
    response = api_client.post(
        f"{OBLIGATIONS}{share.pk}/report/", {"text": "Annual statement", **values}, format="json"
    )
    assert response.status_code == 200, response.content
    return response


def _verify(api_client, benefit_officer, share):
    api_client.force_authenticate(benefit_officer)
    response = api_client.post(f"{OBLIGATIONS}{share.pk}/verify/")
    assert response.status_code == 200, response.content
    return response.json()


def test_a_short_payment_is_booked_but_the_shortfall_stays_open(
    api_client, share, researcher, benefit_officer
):
    _report(api_client, researcher, share, revenue="200000.00", amount="1.00")
    body = _verify(api_client, benefit_officer, share)
    # 2 % of 200,000.00 is 4,000.00; 1.00 was paid, 3,999.00 stays open.
    assert body["state"] == "pending"
    assert body["shortfall_minor"] == 399_900 and body["shortfall"] == "3999.00"
    assert "4000.00 EUR" in body["state_reason"] and "3999.00 EUR" in body["state_reason"]
    assert selectors.fund_balance(currency="EUR") == 100  # the 1.00 is booked as paid
    tx = FundTransaction.objects.get()
    assert (tx.kind, tx.amount_minor) == ("inflow", 100)
    event = AuditEvent.objects.for_target(share).latest("id")
    assert (event.action, event.from_state, event.to_state) == (
        "obligation.short_payment",
        "reported",
        "pending",
    )
    assert event.payload["amount_due_minor"] == 400_000
    assert event.payload["shortfall_minor"] == 399_900
    assert not AuditEvent.objects.filter(action="obligation.verify").exists()
    share.agreement.refresh_from_db()
    assert share.agreement.state != "fulfilled"


def test_paying_the_shortfall_meets_the_period(api_client, share, researcher, benefit_officer):
    _report(api_client, researcher, share, revenue="200000.00", amount="1.00")
    _verify(api_client, benefit_officer, share)
    # The follow-up pays what is still owed; the revenue was reported already.
    _report(api_client, researcher, share, amount="3000.00")
    body = _verify(api_client, benefit_officer, share)
    assert (body["state"], body["shortfall_minor"]) == ("pending", 99_900)
    _report(api_client, researcher, share, amount="999.00")
    body = _verify(api_client, benefit_officer, share)
    assert (body["state"], body["shortfall_minor"]) == ("verified", 0)
    assert selectors.fund_balance(currency="EUR") == 400_000
    share.agreement.refresh_from_db()
    assert share.agreement.state == "fulfilled"


def test_the_full_share_is_verified_at_once(api_client, share, researcher, benefit_officer):
    _report(api_client, researcher, share, revenue="200000.00", amount="4000.00")
    body = _verify(api_client, benefit_officer, share)
    assert (body["state"], body["shortfall_minor"]) == ("verified", 0)


def test_a_short_payment_after_the_due_date_leaves_the_obligation_overdue(
    api_client, share, researcher, benefit_officer
):
    from benefits.models import Obligation

    _report(api_client, researcher, share, revenue="1000.00", amount="5.00")
    Obligation.objects.filter(pk=share.pk).update(due_date=date.today() - timedelta(days=3))
    body = _verify(api_client, benefit_officer, share)
    assert (body["state"], body["shortfall_minor"]) == ("overdue", 1500)
    assert body["overdue_since"] == date.today().isoformat()


def test_the_page_shows_the_amount_due_and_what_is_still_owed(
    client, api_client, share, researcher, benefit_officer
):
    _report(api_client, researcher, share, revenue="200000.00", amount="1.00")
    client.force_login(benefit_officer)
    page = client.get(reverse("benefits:agreement-detail", args=[share.agreement_id]))
    text = page.content.decode()
    assert "€4,000.00" in text  # the computed amount due of the waiting report
    client.post(reverse("benefits:obligation-verify", args=[share.pk]))
    text = client.get(
        reverse("benefits:agreement-detail", args=[share.agreement_id])
    ).content.decode()
    row = text[text.index(f'id="obligation-{share.pk}"') :]
    row = row[: row.index("</tr>")]
    assert "Still owed: €3,999.00" in row
    assert "€3,999.00 left unpaid" in text
    client.force_login(researcher)
    form = client.get(reverse("benefits:obligation-report", args=[share.pk])).content.decode()
    assert "Still owed for this period" in form and "€3,999.00" in form
    assert 'name="revenue"' not in form


def test_waiving_forgives_the_shortfall_on_record(api_client, share, researcher, benefit_officer):
    _report(api_client, researcher, share, revenue="200000.00", amount="1.00")
    _verify(api_client, benefit_officer, share)
    response = api_client.post(f"{OBLIGATIONS}{share.pk}/waive/", {"reason": "Insolvent"})
    assert response.status_code == 200, response.content
    assert (response.json()["state"], response.json()["shortfall_minor"]) == ("waived", 0)
    event = AuditEvent.objects.for_target(share).latest("id")
    assert (event.action, event.payload["shortfall_forgiven_minor"]) == (
        "obligation.waive",
        399_900,
    )


def test_refusals_leave_the_shortfall_alone(api_client, share, researcher, benefit_officer):
    _report(api_client, researcher, share, revenue="200000.00", amount="1.00")
    api_client.force_authenticate(researcher)  # the applicant cannot verify its own report
    assert api_client.post(f"{OBLIGATIONS}{share.pk}/verify/").status_code == 403
    _verify(api_client, benefit_officer, share)
    api_client.force_authenticate(benefit_officer)  # nothing reported: nothing to verify
    assert api_client.post(f"{OBLIGATIONS}{share.pk}/verify/").status_code == 409
    api_client.force_authenticate(researcher)
    response = api_client.post(
        f"{OBLIGATIONS}{share.pk}/report/", {"text": "x", "amount": "-5"}, format="json"
    )
    assert response.status_code == 400
    assert api_client.get(f"{OBLIGATIONS}{share.pk}/").json()["shortfall_minor"] == 399_900
