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


@requires_fund
def test_concurrent_payments_cannot_overdraw_the_fund(harm_officer, benefit_officer):
    from benefits.selectors import fund_balance
    from benefits.services import fund_receive

    fund_receive(actor=benefit_officer, amount_minor=100_00, currency="EUR", reason="Royalties")
    report, _ = make_report()
    services.harm_report_triage(actor=harm_officer, report=report, severity="severe")
    actions = []
    for _ in range(2):
        action = services.redress_offer(
            actor=harm_officer,
            report=report,
            kind="financial",
            description="x",
            amount_minor=70_00,
        )
        services.redress_accept(actor=ReceiptHolder(report_id=report.pk), action=action)
        actions.append(action)
    results = _race(
        *[lambda a=a: services.redress_deliver(actor=harm_officer, action=a) for a in actions]
    )
    assert results == ["InsufficientFunds", "ok"]
    assert fund_balance(currency="EUR") == 30_00
