"""Rule 5 of the disclosure control (issue 15): the public may subtract the sum of several
projects' published harm figures from the register's, and combine that with each project's
totals. An independent attacker solves the exact linear programme of what the published
numbers allow (every report naming at most one project, the worst case) and must pin no
hidden cell, and no exact difference of the register and a set of projects may be 1 to 4.
"""

from itertools import combinations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import linprog

from solidarity.register.disclosure import protect_register_family

from .test_disclosure import CATEGORIES, RELATIONS, STATES, _raw

TABLES = list(RELATIONS)
SMALL = range(1, 5)


def _bounds(cell, total):
    if cell["count"] is not None:
        return cell["count"], cell["count"]
    if cell["display"] == "fewer than 5":
        return 1, 4
    return 0, total


def family_attack(register: dict, projects: list[dict]) -> list:
    """Everything the published numbers give away under the disjoint model: a list of
    ``(table, what, value)``; empty when the family is safe."""
    found = []
    total = register["total"]["count"]
    if not total:
        return found
    rows = [p for p in projects if p["total"]["count"]]
    rest_total = total - sum(p["total"]["count"] for p in rows)
    if rest_total in SMALL:
        found.append(("total", "register less all projects", rest_total))
    for table, (low_f, high_f) in RELATIONS.items():
        if not register[table]:
            continue
        found += _attack_table(table, register, rows, rest_total, total, low_f, high_f)
    return found


def _attack_table(table, register, rows, rest_total, total, low_f, high_f):
    found = []
    keys = [c["key"] for c in register[table]]
    # The linear programme: variables are every cell of the two-way table.
    names, lows, highs, hidden = [], [], [], []

    def var(name, lo, hi, watch):
        names.append(name)
        lows.append(lo)
        highs.append(hi)
        hidden.append(watch)
        return len(names) - 1

    column_vars = {k: [] for k in keys}
    register_vars = {}
    for reg in register[table]:
        lo, hi = _bounds(reg, total)
        register_vars[reg["key"]] = var(("register", reg["key"]), lo, hi, reg["count"] is None)
    row_vars = []
    for i, p in enumerate(rows):
        t = p["total"]["count"]
        published = {c["key"]: c for c in p[table]}
        mine = []
        for k in keys:
            if p[table]:
                cell = published.get(k, {"count": 0, "display": "0"})
                lo, hi = _bounds(cell, t)
                watch = "any" if cell["count"] is None else ""
            else:
                lo, hi, watch = 0, t, "small"
            v = var(("project", i, k), lo, hi, watch)
            column_vars[k].append(v)
            mine.append(v)
        row_vars.append((mine, t))
    rest = []
    for k in keys:
        v = var(("rest", k), 0, total, "small")
        column_vars[k].append(v)
        rest.append(v)
    row_vars.append((rest, rest_total))
    n = len(names)
    a_eq, b_eq, a_ub, b_ub = [], [], [], []
    for k in keys:
        row = np.zeros(n)
        row[column_vars[k]] = 1
        row[register_vars[k]] = -1
        a_eq.append(row)
        b_eq.append(0)
    all_register = list(register_vars.values())
    for members, t in [*row_vars, (all_register, total)]:
        row = np.zeros(n)
        row[members] = 1
        if low_f == high_f:
            a_eq.append(row)
            b_eq.append(t)
        else:
            a_ub += [-row, row]
            b_ub += [-low_f * t, high_f * t]
    bounds = list(zip(lows, highs, strict=True))
    problem = {
        "A_eq": np.array(a_eq),
        "b_eq": b_eq,
        "A_ub": np.array(a_ub) if a_ub else None,
        "b_ub": b_ub or None,
        "bounds": bounds,
        "method": "highs",
    }
    first = linprog(np.zeros(n), **problem)
    if first.status == 2:
        # No disjoint family fits (reports name several projects): no difference is exact.
        return found
    assert first.status == 0, first.message
    # Differences of the register and any set of projects' published cells.
    for j, reg in enumerate(register[table]):
        if reg["count"] is None:
            continue
        shown = []
        for p in rows:
            cell = next((c for c in p[table] if c["key"] == keys[j]), None)
            if cell is not None and cell["count"]:
                shown.append(cell["count"])
        for size in range(1, len(shown) + 1):
            for chosen in combinations(shown, size):
                if reg["count"] - sum(chosen) in SMALL:
                    found.append((table, ("difference", keys[j], chosen), reg["count"]))
    for v, watch in enumerate(hidden):
        if not watch or lows[v] == highs[v]:
            continue
        c = np.zeros(n)
        c[v] = 1
        low = linprog(c, **problem)
        high = linprog(-c, **problem)
        lo, hi = round(low.fun), round(-high.fun)
        if lo == hi and (watch is True or watch == "any" or lo in SMALL):
            found.append((table, names[v], lo))
    return found


# Few kinds, states and years, so that projects have enough reports to publish tables.
report_st = st.tuples(
    st.sets(st.sampled_from(CATEGORIES[:4]), min_size=1, max_size=2).map(sorted),
    st.sampled_from(STATES[:3]),
    st.integers(2025, 2026),
    st.just(1),
    st.lists(st.integers(0, 5), max_size=2, unique=True),  # the projects it names
)


def _family(reports, n_projects):
    register = _raw([r[:4] for r in reports])
    projects = {
        p: _raw([r[:4] for r in reports if p in r[4]])
        for p in range(n_projects)
        if any(p in r[4] for r in reports)
    }
    return register, projects


def _check_true_and_safe(register_raw, projects_raw, register, projects):
    """Every published number is the true count and never 1-4; the attacker finds nothing."""
    pairs = [(register_raw, register)] + [(projects_raw[p], projects[p]) for p in projects]
    for raw, stats in pairs:
        if stats["total"]["count"] is not None:
            assert stats["total"]["count"] == raw["total"]
        for table in TABLES:
            truth = {k: n for k, _l, n in raw[table]}
            for cell in stats[table]:
                if cell["count"] is not None:
                    assert cell["count"] == truth[cell["key"]]
                    assert cell["count"] not in SMALL
    found = family_attack(register, list(projects.values()))
    assert not found, (found, register, projects)


@settings(max_examples=150, deadline=None)
@given(st.integers(3, 6), st.lists(report_st, min_size=15, max_size=40))
def test_no_set_of_projects_against_the_totals_pins_a_hidden_cell(n_projects, reports):
    reports = [(*r[:4], [p for p in r[4] if p < n_projects]) for r in reports]
    register_raw, projects_raw = _family(reports, n_projects)
    register, projects = protect_register_family(register_raw, projects_raw)
    _check_true_and_safe(register_raw, projects_raw, register, projects)


def _many(n, cats, state="received", year=2026, projects=()):
    return [(cats, state, year, 1, list(projects))] * n


def test_two_projects_together_leave_a_small_remainder_withheld():
    """12 + 9 of 24 reports: each project alone leaves 12 or 15 others, together only 3."""
    reports = (
        _many(12, ["privacy_breach"], projects=[0])
        + _many(9, ["discrimination"], projects=[1])
        + _many(3, ["financial"])
    )
    register_raw, projects_raw = _family(reports, 2)
    register, projects = protect_register_family(register_raw, projects_raw)
    _check_true_and_safe(register_raw, projects_raw, register, projects)
    assert register["total"]["count"] == 24
    assert [p["total"]["count"] for p in projects.values()].count(None) == 1


def test_two_projects_cells_subtracted_from_the_register_leave_no_small_count():
    """13 reports name stigmatisation, 5 of each project's: alone each leaves 8 others,
    together only 3 (and the hidden row's stigmatisation cell would be 3)."""
    reports = (
        _many(5, ["stigmatisation"], projects=[0])
        + _many(5, ["financial"], projects=[0])
        + _many(5, ["stigmatisation"], projects=[1])
        + _many(5, ["financial"], projects=[1])
        + _many(3, ["stigmatisation"])
        + _many(7, ["privacy_breach"])
    )
    register_raw, projects_raw = _family(reports, 2)
    register, projects = protect_register_family(register_raw, projects_raw)
    _check_true_and_safe(register_raw, projects_raw, register, projects)
    cells = [c for p in projects.values() for c in p["by_category"]]
    assert None in [c["count"] for c in cells if c["key"] == "stigmatisation"]


@pytest.mark.parametrize("n", [0, 1, 5])
def test_a_lone_project_still_follows_rule_four(n):
    reports = _many(10, ["financial"], projects=[0]) + _many(n, ["financial"])
    register_raw, projects_raw = _family(reports, 1)
    register, projects = protect_register_family(register_raw, projects_raw)
    _check_true_and_safe(register_raw, projects_raw, register, projects)
    assert (projects[0]["total"]["count"] is None) == (n == 1)
