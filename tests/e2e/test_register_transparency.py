"""The register's transparency pages in a real browser: axe finds nothing and the strict CSP
blocks nothing (the fund chart is inline SVG without scripts or inline styles)."""

import pytest

from benefits import services as benefit_services
from solidarity.accounts.roles import Role
from tests.factories import UserFactory
from tests.register.test_fund_page import _paid_project, _redress

from .test_accessibility import _violations

pytestmark = pytest.mark.django_db(transaction=True)


def test_fund_and_register_pages_pass_axe_with_no_csp_violation(page):
    officer = UserFactory(username="t_officer", roles=[Role.BENEFIT_OFFICER, Role.HARM_OFFICER])
    researcher = UserFactory(username="t_researcher", roles=[Role.RESEARCHER])
    _paid_project(officer, researcher, amount=150_000)
    benefit_services.fund_receive(actor=officer, amount_minor=99_00, currency="EUR", reason="x")
    for category in ["privacy_breach"] * 5 + ["financial"]:
        _redress(officer, category, 1_000)  # six harm reports: the register shows a trend chart
    for path in ["/register/fund/", "/register/"]:
        page.goto(path)
        assert _violations(page) == [], path
    blocked = []
    page.on(
        "console",
        lambda msg: blocked.append(msg.text) if "Content Security Policy" in msg.text else None,
    )
    page.goto("/accounts/login/")
    baseline = list(blocked)  # what the base layout itself triggers (htmx's indicator style)
    blocked.clear()
    page.goto("/register/fund/")
    chart = page.locator("svg[role=img]")
    assert chart.count() == 1
    assert chart.get_attribute("aria-labelledby") == "balance-EUR-title balance-EUR-desc"
    # the chart is drawn with the static stylesheet's rules (no inline style needed)
    background = page.evaluate(
        "getComputedStyle(document.querySelector('svg.pygal-chart .graph > .background')).fill"
    )
    assert background == "rgb(249, 249, 249)"
    assert blocked == baseline, (blocked, baseline)
    blocked.clear()
    page.goto("/register/")
    assert page.locator("svg#harm-trend[role=img]").count() == 1
    assert blocked == baseline, (blocked, baseline)
