"""Races that only a real database can show: two officers acting at once."""

import threading

import pytest
from django.db import connection

from harms import services
from harms.permissions import ReceiptHolder
from solidarity.errors import DomainError

from .conftest import requires_fund
from .factories import make_report

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL row locks"),
]


def _race(*calls):
    results, barrier = [], threading.Barrier(len(calls))

    def run(call):
        from django.db import connections

        barrier.wait()
        try:
            call()
            results.append("ok")
        except DomainError as exc:
            results.append(type(exc).__name__)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(c,)) for c in calls]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return sorted(results)


def test_two_officers_triaging_at_once_triage_once(harm_officer):
    from tests.factories import UserFactory

    other = UserFactory(username="hugo", roles=["harm_officer"])
    report, _ = make_report()
    results = _race(
        lambda: services.harm_report_triage(actor=harm_officer, report=report, severity="low"),
        lambda: services.harm_report_triage(actor=other, report=report, severity="severe"),
    )
    assert results == ["TransitionNotAllowed", "ok"]


def _financial_offer(officer, report, amount_minor):
    return services.redress_offer(
        actor=officer, report=report, kind="financial", description="x", amount_minor=amount_minor
    )


@requires_fund
def test_two_offers_racing_for_the_same_money_at_most_one_wins(harm_officer, benefit_officer):
    from benefits.models import FundReservation
    from benefits.selectors import fund_available, fund_balance
    from benefits.services import fund_receive
    from harms.models import RedressAction
    from tests.factories import UserFactory

    other = UserFactory(username="hugo", roles=["harm_officer"])
    fund_receive(actor=benefit_officer, amount_minor=100_00, currency="EUR", reason="Royalties")
    reports = []
    for _ in range(2):
        report, _ = make_report()
        services.harm_report_triage(actor=harm_officer, report=report, severity="severe")
        reports.append(report)
    results = _race(
        lambda: _financial_offer(harm_officer, reports[0], 70_00),
        lambda: _financial_offer(other, reports[1], 70_00),
    )
    assert results == ["DomainError", "ok"]
    assert RedressAction.objects.count() == 1 and FundReservation.objects.count() == 1
    assert fund_balance(currency="EUR") == 100_00
    assert fund_available(currency="EUR") == 30_00


@requires_fund
def test_concurrent_deliveries_pay_what_was_reserved(harm_officer, benefit_officer):
    from benefits.selectors import fund_available, fund_balance
    from benefits.services import fund_receive

    fund_receive(actor=benefit_officer, amount_minor=100_00, currency="EUR", reason="Royalties")
    report, _ = make_report()
    services.harm_report_triage(actor=harm_officer, report=report, severity="severe")
    actions = []
    for _ in range(2):
        action = _financial_offer(harm_officer, report, 50_00)
        services.redress_accept(actor=ReceiptHolder(report_id=report.pk), action=action)
        actions.append(action)
    results = _race(
        *[lambda a=a: services.redress_deliver(actor=harm_officer, action=a) for a in actions]
    )
    assert results == ["ok", "ok"]
    assert fund_balance(currency="EUR") == 0 and fund_available(currency="EUR") == 0
