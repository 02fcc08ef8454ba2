"""An anonymous report followed to its outcome: triage, financial redress, the reporter's view."""

import re

import pytest

from solidarity.accounts.roles import Role
from tests.factories import UserFactory


def _fund(amount_minor: int) -> None:
    from benefits.services import fund_receive

    fund_receive(actor=None, amount_minor=amount_minor, currency="EUR", reason="Royalty share")


def _reporter_opens_status(page, code):
    page.context.clear_cookies()
    page.goto("/harms/status/")
    page.get_by_label("Receipt code").fill(code)
    page.get_by_role("button", name="Show my report").click()
    page.wait_for_url("**/harms/status/")


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_anonymous_report_to_financial_redress_and_outcome(page, login):
    UserFactory(username="e2e_hana", roles=[Role.HARM_OFFICER])
    _fund(500_00)

    # An anonymous person reports, on the public form.
    page.goto("/harms/report/")
    page.get_by_label("What happened?").fill(
        "My employer found out about my treatment after a study used hospital records."
    )
    page.get_by_label("When did it happen?").fill("October 2026")
    page.get_by_label("Me", exact=True).check()
    page.get_by_label("Privacy breach").check()
    page.get_by_label("Financial harm").check()
    page.get_by_label("E-mail for updates (optional)").fill("reporter@example.org")
    page.get_by_role("button", name="Send the report").click()
    page.wait_for_url("**/harms/report/receipt/")
    code = page.locator("[data-receipt-code]").inner_text().strip()
    assert re.fullmatch(r"[A-Z0-9]{4}(-[A-Z0-9]{4}){3}", code)

    # A harm officer triages it and offers financial support from the fund.
    login("e2e_hana")
    page.goto("/harms/queue/")
    page.locator("table a").first.click()
    assert "reporter@example.org" in page.locator("main").inner_text()
    page.get_by_label("Severity").select_option("severe")
    page.get_by_role("button", name="Triage").click()
    assert page.locator("[data-state]").inner_text() == "Triaged"
    page.get_by_label("Kind of redress").select_option("financial")
    page.get_by_label("What is offered (the reporter reads this)").fill(
        "Support towards the costs you incurred."
    )
    page.get_by_label("Amount (financial support only)").fill("150.00")
    page.get_by_role("button", name="Offer", exact=True).click()
    assert page.locator("[data-state]").inner_text() == "Redress offered"
    detail_url = page.url

    # The reporter, with only the code, reads the offer and accepts it.
    _reporter_opens_status(page, code)
    assert "Support towards the costs you incurred." in page.locator("main").inner_text()
    page.get_by_role("button", name="Accept").click()
    page.wait_for_url("**/harms/status/")
    assert "Accepted" in page.locator("[data-redress]").inner_text()

    # The officer pays it from the fund and resolves the case.
    login("e2e_hana")
    page.goto(detail_url)
    page.get_by_role("button", name="Pay from the fund and mark delivered").click()
    assert "Delivered" in page.locator("[data-redress]").inner_text()
    page.get_by_label("Outcome (sent to the reporter)").fill(
        "We paid 150 EUR from the solidarity fund and asked the project to explain itself."
    )
    page.get_by_role("button", name="Resolve", exact=True).click()
    assert page.locator("[data-state]").inner_text() == "Resolved"

    from benefits.selectors import fund_balance

    assert fund_balance(currency="EUR") == 350_00

    # The reporter reads the outcome with the code.
    _reporter_opens_status(page, code)
    main = page.locator("main").inner_text()
    assert "Resolved" in main
    assert "We paid 150 EUR from the solidarity fund" in page.locator("[data-outcome]").inner_text()
    assert "Appeal the decision" in main
