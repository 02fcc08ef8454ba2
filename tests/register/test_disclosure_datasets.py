"""Rule 6 of the disclosure control (issue 15): reports per organisation holding the data and
per dataset. An independent attacker who reads both tables solves the integer programme of
what the published numbers allow (``dataset_attack``): no hidden cell may come out exact, and
every published number is the true count and never 1 to 4.
"""

from collections import Counter

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import linprog

from solidarity.register.disclosure import protect_dataset_statistics

SMALL = range(1, 5)
# Six datasets held by three custodians: a, a, a, b, b, c.
CUSTODIAN = {1: "a", 2: "a", 3: "a", 4: "b", 5: "b", 6: "c"}


def counts_of(reports: list[list[int]]) -> dict:
    """What ``harm_counts_by_dataset`` answers for reports naming these datasets (written
    again here, independently of the code under test)."""
    datasets = Counter(d for r in reports for d in set(r))
    organisations = Counter(o for r in reports for o in {CUSTODIAN[d] for d in r})
    return {
        "reports": sum(1 for r in reports if r),
        "by_dataset": [
            (d, f"Dataset {d}", CUSTODIAN[d], f"Custodian {CUSTODIAN[d]}", n)
            for d, n in sorted(datasets.items())
        ],
        "by_organisation": [(o, f"Custodian {o}", n) for o, n in sorted(organisations.items())],
    }


def _register(total):
    return {"total": {"count": total}, "withheld_tables": []}


def _bounds(cell, cap):
    if cell["count"] is not None:
        return cell["count"], cell["count"]
    if cell["suppressed"] == "primary":
        return 1, 4
    return 1, cap  # listed, so named by at least one report


def dataset_attack(published: dict, total: int) -> list:
    """Each hidden cell of the two tables that the published numbers pin: ``[(key, value)]``.

    What the public knows: the register's ``total``, every published cell and the bounds of
    the hidden ones (a listed dataset or custodian is named at least once, and no count
    exceeds the total), each dataset's custodian, and that a custodian's reports are the
    reports naming any of its datasets: ``D <= O <= sum D``. How many reports name any
    dataset, and the most one report names, are not published and have no cap but the
    catalogue: the table's own relation ``N <= sum D <= m N`` then says nothing more."""
    orgs = published["by_organisation"]
    datasets = published["by_dataset"]
    if not orgs and not datasets:
        return []
    names, lows, highs = [], [], []

    def var(name, lo, hi):
        names.append(name)
        lows.append(lo)
        highs.append(hi)
        return len(names) - 1

    org_vars = {c["key"]: var(("organisation", c["key"]), *_bounds(c, total)) for c in orgs}
    data_vars = {c["key"]: var(("dataset", c["key"]), *_bounds(c, total)) for c in datasets}
    n = len(names)
    a_ub, b_ub = [], []

    def at_most(coefficients: dict, bound):
        row = np.zeros(n)
        for v, c in coefficients.items():
            row[v] += c
        a_ub.append(row)
        b_ub.append(bound)

    for slug, o in org_vars.items():
        mine = [data_vars[c["key"]] for c in datasets if c["organisation_key"] == slug]
        for v in mine:  # a dataset's reports are among its custodian's
            at_most({v: 1, o: -1}, 0)
        at_most({o: 1, **{v: -1 for v in mine}}, 0)  # each names one of its datasets or more
    problem = {
        "A_ub": np.array(a_ub),
        "b_ub": b_ub,
        "bounds": list(zip(lows, highs, strict=True)),
        "integrality": np.ones(n),
        "method": "highs",
    }
    first = linprog(np.zeros(n), **problem)
    assert first.status == 0, first.message  # the truth is a solution
    found = []
    for v, name in enumerate(names):
        if lows[v] == highs[v]:
            continue
        c = np.zeros(n)
        c[v] = 1
        lo = round(linprog(c, **problem).fun)
        hi = round(-linprog(-c, **problem).fun)
        if lo == hi:
            found.append((name, lo))
    return found


def _check(reports, total=None, tied=()):
    counts = counts_of(reports)
    total = len(reports) if total is None else total
    published = protect_dataset_statistics(counts, _register(total), tied)
    truth = {
        "by_dataset": {pk: n for pk, *_rest, n in counts["by_dataset"]},
        "by_organisation": {slug: n for slug, _name, n in counts["by_organisation"]},
    }
    for table, values in truth.items():
        for cell in published[table]:
            if cell["count"] is not None:
                assert cell["count"] == values[cell["key"]]
                assert cell["count"] not in SMALL
                assert total - cell["count"] not in SMALL  # the reports not about it
            else:
                assert cell["suppressed"] in ("primary", "withheld")
    found = dataset_attack(published, total)
    assert not found, (found, counts, published)
    return counts, published


report_st = st.lists(st.sampled_from(list(CUSTODIAN)), max_size=3, unique=True)


@settings(max_examples=200, deadline=None)
@given(st.lists(report_st, min_size=5, max_size=45))
def test_no_hidden_dataset_or_organisation_cell_is_pinned(reports):
    _check(reports)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.lists(st.sampled_from(list(CUSTODIAN)), max_size=1), min_size=5, max_size=45))
def test_one_dataset_per_report_pins_nothing_either(reports):
    """The tightest relations: each custodian's datasets add up to its count exactly."""
    _check(reports)


def test_a_custodians_small_dataset_is_not_read_off_its_total():
    """Custodian b: 10 reports, dataset 4 named by 6 of them and dataset 5 by 4: b's reports
    each name one of its datasets, so dataset 5 has at least 10 - 6 = 4 reports, and fewer
    than 5: exactly 4, unless dataset 4's count is withheld too."""
    reports = [[4]] * 6 + [[5]] * 4 + [[1]] * 12 + [[6]] * 7
    _counts, published = _check(reports)
    cells = {c["key"]: c for c in published["by_dataset"]}
    assert cells[5]["suppressed"] == "primary" and cells[4]["suppressed"] == "withheld"
    assert cells[1]["count"] == 12
    organisations = {c["key"]: c["count"] for c in published["by_organisation"]}
    assert organisations == {"a": 12, "b": 10, "c": 7}


def test_a_dataset_of_a_project_whose_total_is_hidden_is_withheld():
    """A dataset one project alone uses would give that project's hidden total away."""
    reports = [[1]] * 8 + [[4]] * 9 + [[6]] * 7
    _counts, published = _check(reports, tied=[4])
    cells = {c["key"]: c for c in published["by_dataset"]}
    assert cells[4]["count"] is None
    organisations = {c["key"]: c for c in published["by_organisation"]}
    assert organisations["b"]["count"] is None  # b holds only dataset 4 among those named


def test_few_reports_naming_any_dataset_publish_nothing():
    _counts, published = _check([[1], [2], [4]] + [[]] * 20)
    assert published["by_dataset"] == [] and published["by_organisation"] == []
    assert set(published["withheld_tables"]) == {"by_dataset", "by_organisation"}


def test_a_custodian_with_one_dataset_names_the_same_number_twice():
    """One dataset named of a custodian: its count is the custodian's; hidden or shown alike."""
    _counts, published = _check([[1, 2]] * 5 + [[1, 4]] + [[6]] * 11)
    cells = {c["key"]: c for c in published["by_dataset"] + published["by_organisation"]}
    assert cells[4]["suppressed"] == cells["b"]["suppressed"] == "primary"
    assert cells[6]["count"] == cells["c"]["count"] == 11


def test_the_reports_not_naming_a_dataset_are_not_a_small_count():
    """12 reports, 10 name dataset 1: 12 - 10 would say 2 reports are about something else."""
    _counts, published = _check([[1]] * 10 + [[4]] * 2)
    cells = {c["key"]: c for c in published["by_dataset"] + published["by_organisation"]}
    assert cells[1]["suppressed"] == cells["a"]["suppressed"] == "withheld"
    assert cells[4]["suppressed"] == cells["b"]["suppressed"] == "primary"
    for cell in cells.values():
        assert cell["count"] is None or not 0 < 12 - cell["count"] < 5
