import threading

import pytest
from django.db import connection, connections

from benefits import selectors, services
from benefits.models import AppendOnlyError, FundEntry, FundTransaction
from solidarity.audit.models import AuditEvent
from solidarity.errors import DomainError, PermissionDenied


def test_receive_adds_to_the_balance_in_its_currency_and_is_audited(benefit_officer):
    tx = services.fund_receive(
        actor=benefit_officer, amount_minor=1050, currency="EUR", reason="Payment"
    )
    services.fund_receive(actor=benefit_officer, amount_minor=7, currency="CHF", reason="Payment")
    assert selectors.fund_balance(currency="EUR") == 1050
    assert selectors.fund_balances() == {"CHF": 7, "EUR": 1050}
    event = AuditEvent.objects.for_target(tx).get()
    assert event.action == "fund.receive"
    assert event.payload["balance_after"] == 1050


def test_every_transaction_is_double_entry_and_balances(benefit_officer, harm_officer):
    services.fund_receive(actor=benefit_officer, amount_minor=500, currency="EUR", reason="In")
    services.fund_disburse(actor=harm_officer, amount_minor=200, currency="EUR", reason="Redress")
    for tx in FundTransaction.objects.all():
        legs = list(tx.entries.all())
        assert len(legs) == 2
        assert sum(leg.amount_minor for leg in legs) == 0
    assert sum(e.amount_minor for e in FundEntry.objects.all()) == 0
    assert selectors.fund_balance(currency="EUR") == 300


def test_disburse_refuses_to_overdraw(benefit_officer, harm_officer):
    services.fund_receive(actor=benefit_officer, amount_minor=100, currency="EUR", reason="In")
    with pytest.raises(services.InsufficientFunds) as info:
        services.fund_disburse(actor=harm_officer, amount_minor=101, currency="EUR", reason="X")
    assert "1.00 EUR" in info.value.message
    assert isinstance(info.value, DomainError)
    # another currency's money does not cover it either
    services.fund_receive(actor=benefit_officer, amount_minor=10_000, currency="CHF", reason="In")
    with pytest.raises(services.InsufficientFunds):
        services.fund_disburse(actor=harm_officer, amount_minor=101, currency="EUR", reason="X")
    tx = services.fund_disburse(actor=harm_officer, amount_minor=100, currency="EUR", reason="X")
    assert tx.amount_minor == -100
    assert selectors.fund_balance(currency="EUR") == 0
    assert AuditEvent.objects.for_target(tx).get().action == "fund.disburse"


@pytest.mark.parametrize("who", ["researcher", "auditor", "outsider", "custodian"])
def test_only_officers_disburse(request, benefit_officer, who):
    services.fund_receive(actor=benefit_officer, amount_minor=100, currency="EUR", reason="In")
    with pytest.raises(PermissionDenied):
        services.fund_disburse(
            actor=request.getfixturevalue(who), amount_minor=1, currency="EUR", reason="X"
        )


@pytest.mark.parametrize("amount", [0, -5, 1.5, True])
def test_amounts_must_be_positive_integers(benefit_officer, amount):
    with pytest.raises(DomainError):
        services.fund_receive(
            actor=benefit_officer, amount_minor=amount, currency="EUR", reason="In"
        )


def test_unknown_currency_is_refused(benefit_officer):
    with pytest.raises(Exception) as info:
        services.fund_receive(actor=benefit_officer, amount_minor=1, currency="XYZ", reason="In")
    assert "XYZ" in str(info.value)
    assert not FundTransaction.objects.exists()


def test_adjustment_cites_reason_and_entry_and_cannot_go_below_zero(benefit_officer):
    tx = services.fund_receive(
        actor=benefit_officer, amount_minor=1000, currency="EUR", reason="Typed 10.00"
    )
    with pytest.raises(DomainError):
        services.fund_adjust(actor=benefit_officer, corrects=tx, amount_minor=-100, reason=" ")
    with pytest.raises(DomainError):
        services.fund_adjust(actor=benefit_officer, corrects=None, amount_minor=-100, reason="x")
    with pytest.raises(services.InsufficientFunds):
        services.fund_adjust(actor=benefit_officer, corrects=tx, amount_minor=-1001, reason="x")
    fix = services.fund_adjust(
        actor=benefit_officer, corrects=tx, amount_minor=-100, reason="Paid 9.00, not 10.00"
    )
    assert fix.corrects == tx
    assert fix.currency == "EUR"
    assert selectors.fund_balance(currency="EUR") == 900
    event = AuditEvent.objects.for_target(fix).get()
    assert (event.action, event.payload["corrects"]) == ("fund.adjust", tx.pk)


def test_only_benefit_officers_adjust(benefit_officer, harm_officer, auditor):
    tx = services.fund_receive(actor=benefit_officer, amount_minor=1000, currency="EUR", reason="x")
    for who in (harm_officer, auditor):
        with pytest.raises(PermissionDenied):
            services.fund_adjust(actor=who, corrects=tx, amount_minor=-1, reason="x")


def test_the_ledger_cannot_be_updated_or_deleted(benefit_officer):
    tx = services.fund_receive(actor=benefit_officer, amount_minor=1000, currency="EUR", reason="x")
    tx.reason = "changed"
    with pytest.raises(AppendOnlyError):
        tx.save()
    with pytest.raises(AppendOnlyError):
        tx.delete()
    with pytest.raises(AppendOnlyError):
        FundTransaction.objects.filter(pk=tx.pk).update(reason="changed")
    with pytest.raises(AppendOnlyError):
        FundEntry.objects.all().delete()
    assert FundTransaction.objects.get(pk=tx.pk).reason == "x"


@pytest.mark.django_db(transaction=True)
def test_the_database_itself_refuses_changes_to_the_ledger(benefit_officer):
    if connection.vendor != "postgresql":
        pytest.skip("the append-only trigger is PostgreSQL's")
    from django.db import DatabaseError, transaction

    tx = services.fund_receive(actor=benefit_officer, amount_minor=1000, currency="EUR", reason="x")
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE benefits_fundtransaction SET reason = 'y' WHERE id = %s", [tx.pk])
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM benefits_fundentry")


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_disbursements_cannot_overdraw(benefit_officer, harm_officer):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL row locks")
    services.fund_receive(actor=benefit_officer, amount_minor=1000, currency="EUR", reason="In")
    attempts = 12
    barrier = threading.Barrier(attempts)
    outcomes: list[str] = []
    lock = threading.Lock()

    def withdraw():
        try:
            barrier.wait()
            services.fund_disburse(
                actor=harm_officer, amount_minor=300, currency="EUR", reason="Redress"
            )
            result = "paid"
        except services.InsufficientFunds:
            result = "refused"
        except Exception as exc:  # pragma: no cover - shows up in the assertion
            result = repr(exc)
        finally:
            connections.close_all()  # each thread's own connection, or the test DB stays busy
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=withdraw) for _ in range(attempts)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["paid"] * 3 + ["refused"] * (attempts - 3)
    assert selectors.fund_balance(currency="EUR") == 100
    assert FundTransaction.objects.filter(kind="outflow").count() == 3


@pytest.mark.django_db
def test_ledger_page_rows_show_each_entry(client, benefit_officer):
    """Each ledger row: number, kind, amount as money, reason, the entry it corrects, source
    and who recorded it (or "system")."""
    from django.urls import reverse

    tx = services.fund_receive(
        actor=benefit_officer, amount_minor=1000, currency="EUR", reason="Typed <10.00>"
    )
    fix = services.fund_adjust(
        actor=benefit_officer, corrects=tx, amount_minor=-100, reason="Paid 9.00"
    )
    client.force_login(benefit_officer)
    body = client.get(reverse("benefits:fund")).content.decode()
    row = body[body.index(f'<th scope="row">FT-{fix.pk}</th>') :]
    row = row[: row.index("</tr>")]
    assert "<td>-€1.00</td>" in row.replace("\xa0", "")
    assert f'Paid 9.00 <span class="tag">corrects FT-{tx.pk}</span>' in row
    assert f"<td>{benefit_officer}</td>" in row
    first = body[body.index(f'<th scope="row">FT-{tx.pk}</th>') :]
    first = first[: first.index("</tr>")]
    assert "<td>€10.00</td>" in first and "Typed &lt;10.00&gt;" in first


# The ledger's row as the template wrote it before the view wrote it in Python.
_TEMPLATE_ROW = (
    "{% load i18n %}{% for tx in rows %}\n"
    '    <tr><th scope="row">FT-{{ tx.pk }}</th><td>{{ tx.created_at|date:"DATETIME_FORMAT" }}'
    "</td><td>{{ tx.get_kind_display }}</td>\n"
    "    <td>{{ tx.amount }}</td>\n"
    '    <td>{{ tx.reason }}{% if tx.corrects_id %} <span class="tag">{% blocktranslate with '
    "n=tx.corrects_id %}corrects FT-{{ n }}{% endblocktranslate %}</span>{% endif %}</td>\n"
    '    <td>{% if tx.agreement_id %}<a href="{{ tx.agreement_url }}">BSA-{{ tx.agreement_id }}'
    "</a> {% endif %}{{ tx.source }}{% if tx.community %} ({{ tx.community }}){% endif %}</td>\n"
    '    <td>{{ tx.created_by|default:_("system") }}</td></tr>\n'
    "  {% endfor %}"
)


@pytest.mark.parametrize("language", ["en", "fr"])
def test_ledger_rows_are_what_the_template_wrote(client, benefit_officer, signed, language):
    """Entries from an agreement, earmarked for a community, correcting another, with markup
    in their texts, recorded by a person or by the system: the row template's bytes."""
    from django.template import Context, Template
    from django.urls import reverse
    from django.utils import translation

    from benefits.models import SOURCE_LABELS
    from benefits.money import format_money

    first = services.fund_receive(
        actor=benefit_officer,
        amount_minor=123456,
        currency="EUR",
        reason='Share <Q1> & "O\'Brien"',
        source_type="obligation",
        source_id="7",
        agreement=signed,
        community="Patients' <association>",
    )
    services.fund_adjust(actor=benefit_officer, corrects=first, amount_minor=-56, reason="Fix")
    services.fund_receive(actor=None, amount_minor=5, currency="CHF", reason="Gift")
    benefit_officer.language = language
    benefit_officer.save(update_fields=["language"])
    client.force_login(benefit_officer)
    body = client.get(reverse("benefits:fund"), HTTP_ACCEPT_LANGUAGE=language).content.decode()
    with translation.override(language):
        rows = list(FundTransaction.objects.select_related("created_by").order_by("-id"))
        for tx in rows:
            tx.amount = format_money(tx.amount_minor, tx.currency)
            tx.source = str(SOURCE_LABELS.get(tx.source_type, tx.source_type))
            if tx.agreement_id:
                tx.agreement_url = reverse("benefits:agreement-detail", args=[tx.agreement_id])
        expected = Template(_TEMPLATE_ROW).render(Context({"rows": rows}))
    assert expected.count("<tr>") == 3
    assert "Patients&#x27; &lt;association&gt;" in expected
    assert expected in body


def _position(body: str, currency: str) -> str:
    row = body[body.index(f'<tr data-currency="{currency}">') :]
    return row[: row.index("</tr>")].replace("\xa0", "")


def test_the_ledger_pages_totals_follow_every_movement_and_are_summed_once_per_state(
    client, benefit_officer, harm_officer
):
    """The balance, reservations and community totals are kept for the audit chain's tip:
    an unchanged ledger is not summed again, and every movement (an inflow, a reservation,
    its release) shows on the next page."""
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    services.fund_receive(
        actor=benefit_officer, amount_minor=1000, currency="EUR", reason="In", community="North"
    )
    client.force_login(benefit_officer)
    url = reverse("benefits:fund")
    body = client.get(url).content.decode()
    assert '<td class="balance">€10.00</td>' in _position(body, "EUR")
    with CaptureQueriesContext(connection) as ctx:
        again = client.get(url).content.decode()
    assert again.count("€10.00") == body.count("€10.00")
    summed = [q["sql"] for q in ctx.captured_queries if "SUM(" in q["sql"]]
    assert summed == []
    services.fund_receive(
        actor=benefit_officer, amount_minor=500, currency="EUR", reason="In", community="North"
    )
    body = client.get(url).content.decode()
    assert '<td class="balance">€15.00</td>' in _position(body, "EUR")
    assert '<th scope="row">North</th><td>€15.00</td>' in body.replace("\xa0", "")
    reservation = services.fund_reserve(
        actor=harm_officer,
        amount_minor=300,
        currency="EUR",
        reason="Offer",
        source_type="test",
        source_id="1",
    )
    row = _position(client.get(url).content.decode(), "EUR")
    assert '<td class="reserved">€3.00</td>' in row and '<td class="available">€12.00</td>' in row
    services.fund_release(actor=harm_officer, reservation=reservation, reason="Declined")
    row = _position(client.get(url).content.decode(), "EUR")
    assert '<td class="reserved">€0.00</td>' in row and '<td class="available">€15.00</td>' in row
    # A filter is its own selection: its totals are not the unfiltered page's.
    filtered = client.get(url, {"kind": "outflow"}).content.decode()
    assert '<th scope="row">North</th>' not in filtered
