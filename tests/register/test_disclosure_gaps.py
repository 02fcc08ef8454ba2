"""The two gaps the first disclosure rule left open (issue 15):

- one project's harm figures subtracted from the register's totals must not give a small count
  (nor pin any hidden cell of either);
- a month's change of the fund balance must not give one redress payment away.
"""

from datetime import UTC, datetime
from unittest import mock

import pytest
from django.urls import reverse
from hypothesis import given, settings
from hypothesis import strategies as st

from solidarity.register import fund
from solidarity.register.disclosure import (
    protect_harm_statistics,
    protect_project_statistics,
)

from .test_disclosure import CATEGORIES, RELATIONS, STATES, _bounds, _raw, _sums

TABLES = list(RELATIONS)


def _project_attack(project, register) -> dict:
    """Each hidden project cell the public pins down exactly, knowing the project's cells,
    total and relations, and that a project cell is at most the register's published cell."""
    total = project["total"]["count"]
    if total is None:
        return {}
    pinned = {}
    for table, (low_f, high_f) in RELATIONS.items():
        cells = project.get(table) or []
        caps = {c["key"]: c["count"] for c in register.get(table) or []}
        bounds = []
        for cell in cells:
            lo, hi = _bounds(cell, total)
            cap = caps.get(cell["key"])
            bounds.append((min(lo, cap), min(hi, cap)) if cap is not None else (lo, hi))
        for i, cell in enumerate(cells):
            if cell["count"] is not None:
                continue
            others = _sums(bounds[:i] + bounds[i + 1 :])
            values = {
                v
                for v in range(bounds[i][0], bounds[i][1] + 1)
                if any(low_f * total <= v + s <= high_f * total for s in others)
            }
            if len(values) == 1:
                pinned[(table, cell["key"])] = next(iter(values))
    return pinned


report_st = st.tuples(
    st.sets(st.sampled_from(CATEGORIES), min_size=1, max_size=3).map(sorted),
    st.sampled_from(STATES),
    st.integers(2024, 2026),
    st.integers(1, 4),
    st.booleans(),  # about the project
)


@settings(max_examples=400, deadline=None)
@given(st.lists(report_st, max_size=45))
def test_subtracting_one_project_from_the_totals_reveals_no_small_count(reports):
    everything = _raw([r[:4] for r in reports])
    mine = _raw([r[:4] for r in reports if r[4]])
    register = protect_harm_statistics(everything)
    project = protect_project_statistics(mine, register)

    # Every published project number is true and never 1-4.
    truth = {table: {k: n for k, _l, n in mine[table]} for table in TABLES}
    if project["total"]["count"] is not None:
        assert project["total"]["count"] == mine["total"]
    for table in TABLES:
        for cell in project[table]:
            if cell["count"] is not None:
                assert cell["count"] == truth[table][cell["key"]]
                assert not 0 < cell["count"] < 5
    # The register's figures less the project's never give a count from 1 to 4.
    t_all, t_mine = register["total"]["count"], project["total"]["count"]
    if t_all is not None and t_mine is not None:
        assert not 0 < t_all - t_mine < 5
    for table in TABLES:
        published = {c["key"]: c["count"] for c in register[table]}
        for cell in project[table]:
            if cell["count"] is not None and published.get(cell["key"]) is not None:
                assert not 0 < published[cell["key"]] - cell["count"] < 5, (table, cell)
        # A published project table (beyond zeros, which tell nothing) only beside a register
        # table with nothing hidden, so it can never narrow one of the register's hidden cells.
        if any(c["count"] for c in project[table]):
            assert register[table] and all(c["count"] is not None for c in register[table])
    # No hidden project cell can be pinned (so no remainder either).
    assert not _project_attack(project, register), (project, register)


def test_a_project_with_nearly_every_report_publishes_no_breakdown():
    everything = _raw([(["privacy_breach"], "received", 2026, 1)] * 12)
    mine = _raw([(["privacy_breach"], "received", 2026, 1)] * 10)
    project = protect_project_statistics(mine, protect_harm_statistics(everything))
    assert project["total"]["count"] is None and project["total"]["display"] == "withheld"
    assert project["by_category"] == project["by_state"] == project["by_year"] == []


@pytest.mark.django_db
def test_the_register_entry_withholds_a_cell_the_totals_would_reveal(client, researcher):
    from applications.models import Application
    from harms.models import HarmReport

    from .test_disclosure import _make_reports

    app = Application.objects.create(
        applicant=researcher, title="Linked study", state="active", reference="DSA-2026-0777"
    )
    # 15 reports in all, 10 about the project; 7 of all and 5 of the project's name
    # discrimination: publishing the project's 5 would show that 2 others did.
    others = [(["privacy_breach"], "received", 2026)] * 3 + [
        (["discrimination"], "received", 2026)
    ] * 2
    mine = [(["privacy_breach"], "received", 2026)] * 5 + [
        (["discrimination"], "received", 2026)
    ] * 5
    _make_reports(others + mine)
    for report in HarmReport.objects.order_by("id")[len(others) :]:
        report.applications.add(app)
    entry = client.get(f"/api/v1/register/{app.reference}/").json()
    cells = {c["key"]: c for c in entry["harms"]["by_category"]}
    assert entry["harms"]["total"]["count"] == 10
    assert cells["discrimination"]["count"] is None
    register = client.get(reverse("register:json")).json()["harm_statistics"]
    published = {c["key"]: c["count"] for c in register["by_category"]}
    assert published["discrimination"] == 7


# The fund's balance over time


def _months(rows):
    """Feed ``_balances`` these (month, change, redress payments) rows, in EUR."""
    return [
        {
            "currency": "EUR",
            "month": datetime(2026, m, 1, tzinfo=UTC),
            "change": change,
            "counted": counted,
        }
        for m, change, counted in rows
    ]


def test_a_month_with_one_redress_payment_is_left_out_of_the_balance():
    rows = _months([(1, 10_000, 0), (2, -1_234, 1), (3, 500, 0), (4, -4_000, 4), (5, 300, 0)])
    with mock.patch.object(fund, "public_fund_months", return_value=rows):
        points = fund._balances()["EUR"]
    assert [p["month"] for p in points] == ["2026-01", "2026-04", "2026-05"]
    assert [p["balance_minor"] for p in points] == [10_000, 5_266, 5_566]


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.tuples(st.integers(-50_000, 50_000), st.integers(0, 6)), min_size=1, max_size=12)
)
def test_between_two_published_balances_lie_no_or_at_least_five_redress_payments(months):
    rows = _months([(i + 1, change, counted) for i, (change, counted) in enumerate(months)])
    with mock.patch.object(fund, "public_fund_months", return_value=rows):
        points = fund._balances().get("EUR", [])
    published = {p["month"]: p["balance_minor"] for p in points}
    running, since_last = 0, 0
    for row in rows:
        running += row["change"]
        since_last += row["counted"]
        key = row["month"].strftime("%Y-%m")
        if key in published:
            assert published[key] == running  # the true balance
            assert since_last == 0 or since_last >= 5
            since_last = 0
