"""An anonymous reporter comes back through the landing page, accepts financial support and
gives payment details; the harm officer reads them. No CSP violation and no 404 on the way."""

import pytest

from solidarity.accounts.roles import Role
from tests.factories import UserFactory


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_returning_reporter_gives_payment_details(page, login):
    from benefits.services import fund_receive
    from harms import services
    from tests.harms.factories import make_report

    problems = []
    page.on(
        "console",
        lambda m: problems.append(f"console {m.type}: {m.text}") if m.type == "error" else None,
    )
    page.on(
        "response",
        lambda r: problems.append(f"{r.status} {r.url}") if r.status >= 400 else None,
    )
    officer = UserFactory(username="e2e_hana", roles=[Role.HARM_OFFICER])
    fund_receive(actor=None, amount_minor=500_00, currency="EUR", reason="Royalty share")
    report, code = make_report(actor=None)
    services.harm_report_triage(actor=officer, report=report, severity="moderate")
    services.redress_offer(
        actor=officer,
        report=report,
        kind="financial",
        description="Support towards your costs.",
        amount_minor=150_00,
        currency="EUR",
    )

    # The reporter comes back to the public landing page and follows the report.
    page.goto("/")
    assert "Health data used for the public good" in page.locator("h1").inner_text()
    page.get_by_role("link", name="Follow a harm report").click()
    page.get_by_label("Receipt code").fill(code)
    page.get_by_role("button", name="Show my report").click()
    page.wait_for_url("**/harms/status/")
    assert report.reference in page.locator("h1").inner_text()
    main = page.locator("main")
    assert "€150.00" in main.inner_text()
    page.get_by_role("button", name="Accept").click()
    page.get_by_label("Account holder").fill("P. Private")
    page.get_by_label("IBAN").fill("AT61 1904 3002 3457 3201")
    page.get_by_role("button", name="Send the payment details").click()
    assert "Your payment details were received" in page.locator(".messages").inner_text()
    assert "AT611904300234573201" not in main.inner_text()

    # The harm officer reads them on the report and can pay.
    login("e2e_hana")
    page.goto(f"/harms/{report.pk}/")
    details = page.locator("[data-payment-details]").inner_text()
    assert "AT611904300234573201" in details and "P. Private" in details
    assert problems == []
