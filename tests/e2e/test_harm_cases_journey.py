"""A harm officer links two reports into one incident and hands a report to a colleague."""

import pytest

from solidarity.accounts.roles import Role
from tests.factories import UserFactory
from tests.harms.factories import make_report


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_officer_links_two_reports_and_hands_one_over(page, login):
    UserFactory(username="e2e_hana", roles=[Role.HARM_OFFICER])
    colleague = UserFactory(username="e2e_hugo", roles=[Role.HARM_OFFICER])
    first, _ = make_report(what_happened="A list of clinic visitors was posted online.")
    second, _ = make_report(what_happened="My name appeared on a leaked clinic list.")

    login("e2e_hana")
    page.goto(f"/harms/{first.pk}/")
    page.get_by_label("Or start an incident with report number").fill(str(second.pk))
    page.get_by_label("Title of the new incident").fill("Clinic list leak")
    page.get_by_role("button", name="Link", exact=True).click()
    page.wait_for_url("**/harms/incidents/*/")
    cards = page.locator("[data-report]")
    assert cards.count() == 2
    text = page.locator("main").inner_text()
    assert first.reference in text and second.reference in text

    page.goto(f"/harms/{first.pk}/")
    page.get_by_label("Harm officer").select_option(value=str(colleague.pk))
    page.get_by_label("Note for the new owner").fill("You know this clinic.")
    page.get_by_role("button", name="Assign", exact=True).click()
    page.wait_for_url(f"**/harms/{first.pk}/")
    assert page.locator("[data-owner]").inner_text() == "e2e_hugo"
    assert "You know this clinic." in page.locator("[data-handovers]").inner_text()
    first.refresh_from_db()
    assert first.owner == colleague and first.incident_id is not None
