"""A benefit agreement from draft to money in the fund, in the browser."""

from datetime import date, timedelta

import pytest

from solidarity.accounts.roles import Role
from tests.benefits.factories import ApprovedApplicationFactory
from tests.factories import UserFactory


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_officer_drafts_both_sign_applicant_pays_officer_verifies_fund_grows(page, login):
    researcher = UserFactory(username="e2e_rosa", roles=[Role.RESEARCHER])
    UserFactory(username="e2e_ben", roles=[Role.BENEFIT_OFFICER])
    application = ApprovedApplicationFactory(
        applicant=researcher, title="Diabetes outcomes in Vienna"
    )

    # The officer starts from the home page's list of agreements to draft.
    login("e2e_ben")
    page.locator(".panel").filter(has_text="Benefit sharing").get_by_role(
        "link", name="Diabetes outcomes in Vienna"
    ).click()
    page.get_by_role("combobox", name="Kind of use").select_option("public_research")
    page.get_by_role("checkbox", name="Start from the template").uncheck()
    page.get_by_role("button", name="Draft the agreement").click()
    page.get_by_role("link", name="Add an obligation").click()
    page.get_by_role("combobox", name="Kind of obligation").select_option("fixed_payment")
    page.get_by_label("What is owed").fill("A contribution to the solidarity fund.")
    page.get_by_role("combobox", name="Beneficiary").select_option("fund")
    page.get_by_role("textbox", name="Amount").fill("1500.00")
    page.get_by_label("Due date").fill((date.today() + timedelta(days=30)).isoformat())
    page.get_by_role("button", name="Add the obligation").click()
    assert "€1,500.00" in page.locator("main").inner_text()
    page.get_by_role("button", name="Propose to the applicant").click()
    assert "proposed to the applicant" in page.locator("main").inner_text()
    agreement_url = page.url

    # The applicant reads the terms and signs.
    login("e2e_rosa")
    page.get_by_role("link", name="BSA-").first.click()
    assert page.url == agreement_url
    page.get_by_role("button", name="Sign for the applicant").click()
    assert "Your signature was recorded" in page.locator("main").inner_text()

    # The officer signs for the committee; the project becomes active.
    login("e2e_ben")
    page.goto(agreement_url)
    page.get_by_role("button", name="Sign for the committee").click()
    assert "In force" in page.locator("main").inner_text()
    application.refresh_from_db()
    assert application.state == "active"

    # The applicant reports the payment.
    login("e2e_rosa")
    page.goto(agreement_url)
    page.get_by_role("link", name="Report", exact=True).click()
    page.get_by_label("Amount paid").fill("1500.00")
    page.get_by_label("What was done").fill("Paid by bank transfer on the due date.")
    page.get_by_role("button", name="Send the report").click()
    assert "sent for verification" in page.locator("main").inner_text()

    # The officer sees the fund before, verifies the report, and the fund grows.
    login("e2e_ben")
    page.goto("/benefits/fund/")
    assert "The fund holds nothing yet." in page.locator("main").inner_text()
    page.goto(agreement_url)
    page.get_by_role("button", name="Verify", exact=True).click()
    assert "The report was verified" in page.locator("main").inner_text()
    page.get_by_role("link", name="Solidarity fund").click()
    balance = page.locator("#fund-balances tr[data-currency=EUR] .balance")
    assert balance.inner_text().strip() == "€1,500.00"
    assert "Fixed payment" in page.locator("main").inner_text()
