"""Secondary suppression of the public harm statistics: an attacker who reads everything the
register publishes (cells and totals) and works with row/column differences and the published
bounds never recovers a suppressed count; every published number is the true count."""

import csv
import io
import random
from collections import Counter
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from hypothesis import given, settings
from hypothesis import strategies as st

from harms.models import HarmCategory, HarmReport, HarmReportState
from solidarity.register.disclosure import protect_harm_statistics

CATEGORIES = HarmCategory.values
STATES = HarmReportState.values
RELATIONS = {"by_category": (1, 7), "by_state": (1, 1), "by_year": (1, 1)}  # x total


def _bounds(cell, total):
    """What the public knows of one cell, read from its display only."""
    if cell["count"] is not None:
        return cell["count"], cell["count"]
    if cell["display"] == "fewer than 5":
        return 1, 4
    return 0, total


def _sums(bounds):
    """Every sum the given bounded cells can take (independent of the code under test)."""
    sums = {0}
    for lo, hi in bounds:
        sums = {s + v for s in sums for v in range(lo, hi + 1)}
    return sums


def attack(stats) -> dict:
    """Each hidden value the attacker pins down exactly: {(table, key): value}."""
    total_cell = stats["total"]
    totals = [total_cell["count"]] if total_cell["count"] is not None else [1, 2, 3, 4]
    possible: dict = {}
    for total in totals:
        feasible_here = {}
        consistent = True
        for table, (low_f, high_f) in RELATIONS.items():
            cells = stats.get(table) or []
            if not cells:
                continue
            bounds = [_bounds(c, total) for c in cells]
            low, high = low_f * total, high_f * total
            for i, cell in enumerate(cells):
                if cell["count"] is not None:
                    continue
                others = _sums(bounds[:i] + bounds[i + 1 :])
                values = {
                    v
                    for v in range(bounds[i][0], bounds[i][1] + 1)
                    if any(low <= v + s <= high for s in others)
                }
                if not values:
                    consistent = False
                feasible_here[(table, cell["key"])] = values
        if consistent:
            for key, values in feasible_here.items():
                possible.setdefault(key, set()).update(values)
            possible.setdefault(("total", "total"), set()).add(total)
    pinned = {key: next(iter(v)) for key, v in possible.items() if len(v) == 1}
    pinned.update(_attack_quarters(stats))
    return pinned


def _attack_quarters(stats) -> dict:
    """Quarters of a published year sum to its count; a hidden year hides all its quarters."""
    years = {c["key"]: c["count"] for c in stats.get("by_year") or []}
    pinned = {}
    for year in {c["year"] for c in stats.get("by_quarter") or []}:
        cells = [c for c in stats["by_quarter"] if c["year"] == year]
        count = years.get(year)
        if count is None:
            assert all(c["count"] is None for c in cells)
            continue
        bounds = [_bounds(c, count) for c in cells]
        for i, cell in enumerate(cells):
            if cell["count"] is None:
                others = _sums(bounds[:i] + bounds[i + 1 :])
                values = {v for v in range(bounds[i][0], bounds[i][1] + 1) if count - v in others}
                if len(values) == 1:
                    pinned[("by_quarter", cell["key"])] = next(iter(values))
    return pinned


def _hidden_keys(stats):
    keys = {("total", "total")} if stats["total"]["count"] is None else set()
    keys |= {("by_quarter", c["key"]) for c in stats.get("by_quarter") or [] if c["count"] is None}
    for table in RELATIONS:
        keys |= {(table, c["key"]) for c in stats.get(table) or [] if c["count"] is None}
    return keys


def _raw(reports):
    """reports: list of (categories, state, year, quarter)."""
    cats = Counter(c for cs, _s, _y, _q in reports for c in cs)
    states = Counter(s for _c, s, _y, _q in reports)
    years = Counter(y for _c, _s, y, _q in reports)
    quarters = Counter((y, q) for _c, _s, y, q in reports)
    return {
        "total": len(reports),
        "by_quarter": [(y, q, quarters[(y, q)]) for y in sorted(years) for q in (1, 2, 3, 4)],
        "by_category": [(k, k, cats[k]) for k in CATEGORIES],
        "by_state": [(k, k, states[k]) for k in STATES],
        "by_year": [(y, str(y), years[y]) for y in sorted(years)],
    }


report_st = st.tuples(
    st.sets(st.sampled_from(CATEGORIES), min_size=1, max_size=3).map(sorted),
    st.sampled_from(STATES),
    st.integers(2023, 2026),
    st.integers(1, 4),
)


@settings(max_examples=400, deadline=None)
@given(st.lists(report_st, max_size=40))
def test_no_suppressed_cell_can_be_recovered_from_random_data(reports):
    raw = _raw(reports)
    stats = protect_harm_statistics(raw)
    hidden = _hidden_keys(stats)
    recovered = attack(stats)
    assert not (hidden & set(recovered)), (recovered, stats)
    # every published number is the true one, and every count 1-4 is hidden
    truth = {("total", "total"): raw["total"]}
    for table in RELATIONS:
        truth |= {(table, k): n for k, _l, n in raw[table]}
    for table in RELATIONS:
        for cell in stats[table]:
            if cell["count"] is not None:
                assert cell["count"] == truth[(table, cell["key"])]
                assert not 0 < cell["count"] < 5
    if stats["total"]["count"] is not None:
        assert stats["total"]["count"] == raw["total"]
    quarters = {f"{y}-Q{q}": n for y, q, n in raw["by_quarter"]}
    for cell in stats["by_quarter"]:
        if cell["count"] is not None:
            assert cell["count"] == quarters[cell["key"]] and not 0 < cell["count"] < 5


def _make_reports(reports):
    now = timezone.now()
    objs = []
    for cats, state, year, *quarter in reports:
        month = 3 * (quarter[0] if quarter else 2) - 1
        when = now.replace(year=year, month=month, day=1)
        objs.append(
            HarmReport(
                what_happened="Canary-what-happened",
                occurred_when="spring",
                affected="self",
                categories=cats,
                state=state,
                received_at=when,
                acknowledge_due=when + timedelta(days=2),
                triage_due=when + timedelta(days=5),
                decision_due=when + timedelta(days=30),
            )
        )
    HarmReport.objects.bulk_create(objs)


def test_a_lone_small_state_is_not_recoverable_from_the_total(db, client):
    """Six received and two triaged: before, 'triaged' was 'fewer than 5' but 8 - 6 = 2."""
    _make_reports([(["privacy_breach"], "received", 2025)] * 6)
    _make_reports([(["privacy_breach"], "triaged", 2025)] * 2)
    stats = client.get(reverse("register:json")).json()["harm_statistics"]
    assert stats["total"]["count"] == 8
    by_state = {c["key"]: c for c in stats["by_state"]}
    assert by_state["triaged"]["count"] is None
    assert by_state["received"]["count"] is None  # withheld alongside
    assert ("by_state", "triaged") not in attack(stats)


@pytest.mark.parametrize("seed", range(8))
def test_published_statistics_resist_the_attack_and_equal_the_reports(db, client, seed):
    rng = random.Random(seed)
    reports = [
        (
            sorted(rng.sample(CATEGORIES, rng.randint(1, 2))),
            rng.choice(STATES[:4]),
            rng.choice([2024, 2025, 2026]),
            rng.randint(1, 4),
        )
        for _ in range(rng.randint(0, 30))
    ]
    _make_reports(reports)
    stats = client.get(reverse("register:json")).json()["harm_statistics"]
    hidden = _hidden_keys(stats)
    assert not (hidden & set(attack(stats)))
    # the CSV publishes exactly what the JSON does
    rows = list(csv.DictReader(io.StringIO(client.get(reverse("register:harms_csv")).text)))
    published = {
        (r["table"], r["key"]): r["display"] for r in rows if r["display"] != "withheld" or r["key"]
    }
    assert published[("total", "total")] == stats["total"]["display"]
    for table in RELATIONS:
        for cell in stats[table]:
            assert published[(table, str(cell["key"]))] == cell["display"]
    # every published number equals the reports in the database
    db_rows = list(HarmReport.objects.values_list("categories", "state", "received_at"))
    by_quarter = Counter(f"{w.year}-Q{(w.month - 1) // 3 + 1}" for _c, _s, w in db_rows)
    for cell in stats["by_quarter"]:
        if cell["count"] is not None:
            assert cell["count"] == by_quarter[cell["key"]]
    truth = {
        "by_category": Counter(c for cs, _s, _w in db_rows for c in cs),
        "by_state": Counter(s for _c, s, _w in db_rows),
        "by_year": Counter(w.year for _c, _s, w in db_rows),
    }
    if stats["total"]["count"] is not None:
        assert stats["total"]["count"] == len(db_rows)
    for table in RELATIONS:
        for cell in stats[table]:
            if cell["count"] is not None:
                assert cell["count"] == truth[table][cell["key"]]
    html = client.get(reverse("register:list")).content.decode()
    assert stats["total"]["display"] in html
    assert "Canary-what-happened" not in html


def test_register_page_shows_harm_trends_by_quarter_as_an_accessible_chart(db, client):
    _make_reports([(["privacy_breach"], "received", 2025, 1)] * 6)
    _make_reports([(["privacy_breach"], "received", 2025, 2)] * 7)
    _make_reports([(["financial"], "received", 2025, 3)] * 2)
    response = client.get(reverse("register:list"))
    body = response.content.decode()
    stats = response.context["harm_statistics"]
    quarters = {c["key"]: c for c in stats["by_quarter"]}
    # Q3's 2 is hidden; Q4's 0 alone would not hide it (15 - 6 - 7 - 0), so one more goes
    assert quarters["2025-Q3"]["count"] is None
    assert sum(c["count"] is None for c in quarters.values()) >= 2
    assert ("by_quarter", "2025-Q3") not in attack(stats)
    svg = body[body.index('<svg xmlns="http://www.w3.org/2000/svg"') : body.index("</svg>")]
    assert 'role="img"' in svg and "Harm reports received, quarter by quarter" in svg
    assert "<script" not in svg and "style=" not in svg and "<style" not in svg
    assert "Reports received by quarter" in body and "/static/css/charts.css" in body
    csv_rows = list(csv.DictReader(io.StringIO(client.get(reverse("register:harms_csv")).text)))
    assert {r["key"] for r in csv_rows if r["table"] == "by_quarter"} == set(quarters)
