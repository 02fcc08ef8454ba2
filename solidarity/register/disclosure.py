"""Statistical disclosure control for the public harm statistics.

The register publishes, for all reports or for one project, the total number of harm reports
and three one-way tables: by state and by year (each report counted once, so each table sums to
the total) and by kind of harm (a report names one or more kinds, so that table sums to at
least the total and at most seven times it).

The rule, applied to every public output (HTML, CSV, JSON):

1. **Primary suppression.** A count from 1 to 4 is shown as "fewer than 5". Zero is shown.
2. **Small totals.** When the total itself is from 1 to 4, only "fewer than 5 reports" is
   published and no breakdown at all (any breakdown of a handful of reports singles them out).
3. **Secondary (complementary) suppression.** Within each table, an attacker knows the
   published cells, the total, the relation above (= total, or between total and 7 times the total)
   and the bounds of every hidden cell: 1..4 for "fewer than 5", and 0..total for a cell shown
   as "withheld". From one linear relation with bounded integer unknowns the exact range of each
   hidden cell is ``[max(lo, L - sum of the others' hi), min(hi, U - sum of the others' lo)]``.
   While any hidden cell's range is a single value (this includes a lone hidden cell in a table
   that sums to the total), the smallest published non-zero cell is withheld too, then a zero
   cell; if nothing is left to withhold, the whole table is withheld.

Tables share only the total, which is published (or, under rule 2, nothing else is), so they
cannot be combined to narrow a hidden cell further.

4. **One project against the totals** (``protect_project_statistics``). A project's figures
   subtracted from the register's figures give the reports *not* about that project; that
   difference must not be a small count either. So a project's statistics are published only
   where the register's own figures are exact: when the register's total less the project's
   total is from 1 to 4, the project's figures are withheld altogether; a project's table is
   withheld where the register's same table hides any cell (so a project's cell can never
   narrow a hidden cell of the register's); in the other tables a project's cell is withheld
   when the register's cell less it is from 1 to 4, and rule 3 then runs with what the public
   knows of each hidden project cell: its own bounds and at most the register's published cell.
   Kept exact by these rules: every difference of one project from the totals. Not covered:
   differences between several projects and the totals (reports may name several projects or
   none, so such sums are not exact; see the README).
"""

from dataclasses import dataclass

from django.utils.translation import gettext as _

SMALL_COUNT = 5
MAX_CATEGORIES_PER_REPORT = 7

PRIMARY = "primary"
WITHHELD = "withheld"


@dataclass
class Cell:
    key: object
    label: str
    count: int
    hidden: str = ""  # "", PRIMARY or WITHHELD

    def bounds(self, total: int) -> tuple[int, int]:
        if self.hidden == PRIMARY:
            return 1, SMALL_COUNT - 1
        if self.hidden == WITHHELD:
            return 0, total
        return self.count, self.count


def hidden_ranges(cells: list[Cell], low: int, high: int, total: int) -> list[tuple[int, int]]:
    """The exact range of each hidden cell given ``low <= sum(cells) <= high`` and the bounds."""
    hidden = [c for c in cells if c.hidden]
    shown = sum(c.count for c in cells if not c.hidden)
    low, high = low - shown, high - shown
    bounds = [c.bounds(total) for c in hidden]
    sum_lo = sum(b[0] for b in bounds)
    sum_hi = sum(b[1] for b in bounds)
    return [(max(lo, low - (sum_hi - hi)), min(hi, high - (sum_lo - lo))) for lo, hi in bounds]


def _protect_table(cells: list[Cell], low: int, high: int, total: int) -> bool:
    """Mark primary and complementary cells; False when the whole table must be withheld."""
    for cell in cells:
        if 0 < cell.count < SMALL_COUNT:
            cell.hidden = PRIMARY
    while any(lo == hi for lo, hi in hidden_ranges(cells, low, high, total)):
        candidates = sorted(
            (c for c in cells if not c.hidden),
            key=lambda c: (c.count == 0, c.count),
        )
        if not candidates:
            return False
        candidates[0].hidden = WITHHELD
    return True


def _published(cell: Cell) -> dict:
    if cell.hidden == PRIMARY:
        count, display = None, _("fewer than 5")
    elif cell.hidden == WITHHELD:
        count, display = None, _("withheld")
    else:
        count, display = cell.count, str(cell.count)
    return {
        "key": cell.key,
        "label": str(cell.label),
        "count": count,
        "display": display,
        "suppressed": cell.hidden,
    }


def protect_harm_statistics(counts: dict) -> dict:
    """Apply the rule above to raw counts.

    ``counts`` holds ``total`` (int) and ``by_category``, ``by_state``, ``by_year``: lists of
    ``(key, label, count)``. The answer has the shape the register always published (``total``
    and the three lists of ``{key, label, count, display}``; a hidden count is ``None``), plus
    ``suppressed`` on each cell and ``withheld_tables``, the tables not published at all.
    """
    total = counts["total"]
    if 0 < total < SMALL_COUNT:
        return {
            "total": _published(Cell("total", _("All reports"), total, PRIMARY)),
            "by_category": [],
            "by_state": [],
            "by_year": [],
            "by_quarter": [],
            "withheld_tables": ["by_category", "by_state", "by_year"],
        }
    relations = {
        "by_category": (total, MAX_CATEGORIES_PER_REPORT * total),
        "by_state": (total, total),
        "by_year": (total, total),
    }
    result = {"total": _published(Cell("total", _("All reports"), total)), "withheld_tables": []}
    for name, (low, high) in relations.items():
        cells = [Cell(key, label, count) for key, label, count in counts[name]]
        if _protect_table(cells, low, high, total):
            result[name] = [_published(c) for c in cells]
        else:
            result[name] = []
            result["withheld_tables"].append(name)
    if "by_quarter" in counts:
        result["by_quarter"] = _protect_quarters(counts["by_quarter"], result["by_year"])
    return result


def _protect_quarters(quarters, years: list[dict]) -> list[dict]:
    """Reports per quarter, protected year by year: a year's four quarters sum to its count.

    The quarters of a published year form a table protected like the others, with the year's
    count as its total (a withheld quarter may be anything from 0 to the year's count); every
    quarter of a hidden year is withheld, so the quarters never reveal a hidden year either.
    """
    published_years = {row["key"]: row["count"] for row in years}
    by_year: dict = {}
    for year, quarter, count in quarters:
        by_year.setdefault(year, []).append(Cell(f"{year}-Q{quarter}", f"{year} Q{quarter}", count))
    result = []
    for year, cells in sorted(by_year.items()):
        year_count = published_years.get(year)
        if year_count is None or not _protect_table(cells, year_count, year_count, year_count):
            for cell in cells:
                cell.hidden = WITHHELD
        for cell in cells:
            row = _published(cell)
            row["year"] = year
            result.append(row)
    return result


def _exact_ranges(bounds: list[tuple[int, int]], low: int, high: int) -> list[tuple[int, int]]:
    """The exact range of each bounded unknown given ``low <= sum <= high`` (one relation)."""
    sum_lo = sum(b[0] for b in bounds)
    sum_hi = sum(b[1] for b in bounds)
    return [(max(lo, low - (sum_hi - hi)), min(hi, high - (sum_lo - lo))) for lo, hi in bounds]


def _project_bounds(cell: Cell, cap: int, total: int) -> tuple[int, int]:
    """What the public knows of a hidden project cell: its own bounds, at most the register's."""
    lo, hi = cell.bounds(total)
    return min(lo, cap), min(hi, cap)


def _protect_project_table(cells, caps, low, high, total) -> bool:
    for cell, cap in zip(cells, caps, strict=True):
        if 0 < cell.count < SMALL_COUNT:
            cell.hidden = PRIMARY
        elif 0 < cap - cell.count < SMALL_COUNT:
            cell.hidden = WITHHELD  # the register's cell less this one would be a small count
    while True:
        hidden = [(c, cap) for c, cap in zip(cells, caps, strict=True) if c.hidden]
        shown = sum(c.count for c in cells if not c.hidden)
        bounds = [_project_bounds(c, cap, total) for c, cap in hidden]
        ranges = _exact_ranges(bounds, low - shown, high - shown)
        if not any(lo == hi for lo, hi in ranges):
            return True
        candidates = sorted(
            (c for c in cells if not c.hidden), key=lambda c: (c.count == 0, c.count)
        )
        if not candidates:
            return False
        candidates[0].hidden = WITHHELD


def protect_project_statistics(counts: dict, register: dict) -> dict:
    """One project's harm statistics under rules 1-4 above.

    ``counts`` are the project's raw counts (as for ``protect_harm_statistics``) and
    ``register`` the register's statistics as published (its output). The answer has the same
    shape, without quarters (a project's page shows no trend).
    """
    total = counts["total"]
    register_total = register["total"]["count"]
    tables = ("by_category", "by_state", "by_year")
    if total == 0 or 0 < total < SMALL_COUNT or register_total is None:
        result = protect_harm_statistics({**counts, "by_quarter": []})
        result["by_quarter"] = []
        return result
    if 0 < register_total - total < SMALL_COUNT:
        return {
            "total": _published(Cell("total", _("All reports"), total, WITHHELD)),
            **{name: [] for name in tables},
            "by_quarter": [],
            "withheld_tables": list(tables),
        }
    relations = {
        "by_category": (total, MAX_CATEGORIES_PER_REPORT * total),
        "by_state": (total, total),
        "by_year": (total, total),
    }
    result = {
        "total": _published(Cell("total", _("All reports"), total)),
        "by_quarter": [],
        "withheld_tables": [],
    }
    for name, (low, high) in relations.items():
        published = {row["key"]: row["count"] for row in register.get(name) or []}
        cells = [Cell(key, label, count) for key, label, count in counts[name]]
        caps = [published.get(c.key, 0) for c in cells]
        exact = bool(published) and all(v is not None for v in published.values())
        if exact and _protect_project_table(cells, caps, low, high, total):
            result[name] = [_published(c) for c in cells]
        else:
            result[name] = []
            result["withheld_tables"].append(name)
    return result
