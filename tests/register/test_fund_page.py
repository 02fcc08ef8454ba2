"""The public solidarity-fund page: the numbers are the ledger's, money in the reader's locale,
the chart is inline SVG a strict CSP allows, with a text alternative and a data table."""

import re

from django.db import connection
from django.db.models import Sum
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from benefits import selectors as fund_selectors
from benefits import services as benefit_services
from benefits.models import FundTransaction
from harms.models import HarmReport, RedressAction
from tests.benefits.factories import (
    ApprovedApplicationFactory,
    signed_agreement,
)


def _paid_project(officer, researcher, *, amount):
    app = ApprovedApplicationFactory(applicant=researcher, title="Diabetes outcomes")
    agreement = signed_agreement(app, officer)
    obligation = agreement.obligations.get()
    benefit_services.obligation_report(
        actor=researcher, obligation=obligation, amount_minor=amount, text="Paid"
    )
    benefit_services.obligation_verify(actor=officer, obligation=obligation)
    return app


def _redress(officer, category, amount):
    now = timezone.now()
    report = HarmReport.objects.create(
        what_happened="CanaryWhatHappened",
        occurred_when="spring",
        affected="self",
        categories=[category],
        acknowledge_due=now,
        triage_due=now,
        decision_due=now,
    )
    action = RedressAction.objects.create(
        report=report,
        kind="financial",
        description="CanaryRedressDescription",
        amount_minor=amount,
        currency="EUR",
        offered_by=officer,
    )
    benefit_services.fund_disburse(
        actor=officer,
        amount_minor=amount,
        currency="EUR",
        reason="CanaryReason for Mrs Example",
        source_type="harms.redressaction",
        source_id=str(action.pk),
    )


def _ledger_world(benefit_officer, harm_officer, researcher):
    app = _paid_project(benefit_officer, researcher, amount=150_000)
    benefit_services.fund_receive(
        actor=benefit_officer,
        amount_minor=2_345_67,
        currency="EUR",
        reason="CanaryDonor gift",
    )
    for _ in range(5):
        _redress(harm_officer, "privacy_breach", 1_000)
    return app


def test_fund_page_numbers_equal_the_ledger(client, benefit_officer, harm_officer, researcher):
    app = _ledger_world(benefit_officer, harm_officer, researcher)
    response = client.get(reverse("register:fund"))
    assert response.status_code == 200
    page = response.context["page"]
    inflow_total = FundTransaction.objects.filter(kind="inflow").aggregate(t=Sum("amount_minor"))
    assert page.inflow_totals == [
        {"currency": "EUR", "amount_minor": inflow_total["t"], "amount": "3,845.67 EUR"}
    ]
    by_project = {(r["reference"], r["kind"]): r["amount_minor"] for r in page.inflows}
    assert by_project == {(app.reference, "fixed_payment"): 150_000, ("", ""): 2_345_67}
    outflow = FundTransaction.objects.filter(kind="outflow").aggregate(t=Sum("amount_minor"))
    redress = page.redress["EUR"]
    assert redress["total_minor"] == -outflow["t"] == 5_000
    rows = {r["key"]: r for r in redress["rows"]}
    assert rows["privacy_breach"]["count"] == 5
    assert rows["privacy_breach"]["amount_minor"] == 5_000
    balance = page.balances["EUR"][-1]["balance_minor"]
    assert balance == fund_selectors.fund_balance(currency="EUR") == 3_795_67
    body = response.content.decode()
    assert app.reference in body and "1,500.00 EUR" in body and "3,795.67 EUR" in body
    assert "canary" not in body.lower() and "Example" not in body


def test_fund_page_hides_few_redress_payments(client, benefit_officer, harm_officer, researcher):
    _paid_project(benefit_officer, researcher, amount=150_000)
    for _ in range(5):
        _redress(harm_officer, "privacy_breach", 1_000)
    _redress(harm_officer, "discrimination", 7_777)
    page = client.get(reverse("register:fund")).context["page"]
    rows = {r["key"]: r for r in page.redress["EUR"]["rows"]}
    # one payment for discrimination: hidden, and privacy with it (else 12,777 - 5,000 shows it)
    assert rows["discrimination"]["amount_minor"] is None
    assert rows["privacy_breach"]["amount_minor"] is None
    assert page.redress["EUR"]["total_minor"] == 12_777
    body = client.get(reverse("register:fund")).content.decode()
    assert "77.77" not in body


def test_fund_page_money_follows_the_locale(client, benefit_officer, harm_officer, researcher):
    _ledger_world(benefit_officer, harm_officer, researcher)
    body = client.get(reverse("register:fund"), HTTP_ACCEPT_LANGUAGE="de").content.decode()
    assert "3.795,67 EUR" in body
    body = client.get(reverse("register:fund"), HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert re.search(r"3\s795,67 EUR", body)


def test_fund_chart_is_accessible_inline_svg_a_strict_csp_allows(
    client, benefit_officer, harm_officer, researcher
):
    _ledger_world(benefit_officer, harm_officer, researcher)
    response = client.get(reverse("register:fund"))
    assert "default-src 'self'" in response["Content-Security-Policy"]
    body = response.content.decode()
    svg = body[body.index("<svg") : body.index("</svg>")]
    assert 'role="img"' in svg and 'aria-labelledby="balance-EUR-title balance-EUR-desc"' in svg
    assert '<title id="balance-EUR-title">' in svg and '<desc id="balance-EUR-desc">' in svg
    assert "<script" not in body.split("</head>")[1]
    assert "<style" not in svg and "style=" not in svg and " on" not in re.sub(r"\s+", " ", svg)
    assert "/static/css/charts.css" in body
    assert "Balance at the end of each month (EUR)" in body
    assert "3,795.67 EUR" in svg  # the text alternative names the latest balance


def test_fund_page_runs_a_fixed_number_of_queries(
    client, benefit_officer, harm_officer, researcher
):
    _paid_project(benefit_officer, researcher, amount=1_000)
    _redress(harm_officer, "financial", 100)
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("register:fund"))
    _ledger_world(benefit_officer, harm_officer, researcher)
    for _ in range(3):
        _paid_project(benefit_officer, researcher, amount=500)
    with CaptureQueriesContext(connection) as many:
        client.get(reverse("register:fund"))
    assert len(many) == len(few) == 5


def test_register_links_the_fund_page(client, db):
    assert 'href="/register/fund/"' in client.get(reverse("register:list")).content.decode()
