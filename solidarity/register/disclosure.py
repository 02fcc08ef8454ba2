"""Statistical disclosure control for the public harm statistics.

The register publishes, for all reports or for one project, the total number of harm reports
and three one-way tables (for all reports, two more: rule 6): by state and by year (each
report counted once, so each table sums to the total) and by kind of harm (a report names
one or more kinds, so that table sums to at least the total and at most seven times it).

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
   Kept exact by these rules: every difference of one project from the totals.

5. **All projects against the totals** (``protect_register_family``). Subtracting the sum of
   several projects' published cells from the register's is protected too. The attacker may
   assume every report names at most one project (the worst case; in fact a report may name
   several or none). Then, for each table, the public knows a two-way table: one row per
   project whose total is published, one hidden row of the other reports (naming no project,
   or only projects whose total is not published), one column per cell; column sums are the
   register's cells, row sums each project's total (by kind of harm: between the total and
   seven times it), the hidden row's total is the register's total less the published
   totals, and every hidden cell lies within its bounds (1..4, 0..total, or 0..register
   cell). That is a flow network; the published figures pin a hidden cell exactly when no
   residual cycle of one feasible flow passes it (``flownet``), which is exact and linear.
   While the family is not safe, in rounds:

   - the register's total less all published project totals may not be from 1 to 4 (the
     smallest published project is then withheld altogether);
   - in each column whose register cell is published, that cell less all projects'
     published cells (the fewest reports the others can share) may not be from 1 to 4, nor
     may a cell of the hidden row or of a project's withheld table be pinned to 1..4 (the
     smallest published non-zero project cell of that column is withheld; if there is none,
     the register's cell is hidden with rule 3 and every project's table withheld as rule 4
     does);
   - no hidden cell of a published table may be pinned (the smallest published cell of the
     project's row is withheld, a non-zero one first; if none is left, that project's table
     is withheld; a pinned register cell makes the register hide one more cell by rule 3 and
     withholds every project's table).

   Any other set of projects differs from the totals by at least one published project cell
   more, so by 0 or by 5 or more. Figures that no disjoint family fits (reports naming
   several projects) let the attacker conclude nothing under this model.

6. **By organisation and by dataset** (``protect_dataset_statistics``). The register also
   publishes, for each dataset that some report names (``HarmReport.datasets``, as the triage
   confirmed them; a report about a project does not count for the project's datasets), how
   many reports name it, and for each organisation holding such a dataset (its custodian) how
   many reports name any of its datasets. Every dataset and custodian of the catalogue is
   already public (the register's own filter lists them). A report may name several datasets
   or none, so neither table sums to the total: the dataset cells sum to between the reports
   naming any dataset and that times the most one report names, and neither number is
   published nor capped by anything but the catalogue, so that relation (and the same one for
   custodians) tells the public nothing beyond each count being at most the total. What does
   bind is within one custodian: each of its datasets' reports are among its own, and each of
   its reports names one of its datasets or more (``D <= O <= sum D``); a custodian with one
   dataset named has the same count as it. Custodians share no report count that is
   published, so they are protected one by one: rule 1; when fewer than 5 reports name any
   dataset, neither table (rule 2); as rule 4, a cell whose difference from the register's
   total is from 1 to 4 is withheld (the reports not naming that dataset or custodian would
   be a small count); then, while the custodian's relation pins a hidden cell
   (its exact range is computed, ``_custodian_pinned``), the smallest published dataset cell
   of that custodian is withheld, then the custodian's own cell. A listed cell is at least 1
   (only what is named is listed), which the check assumes the public knows.

   Projects: the triage confirms a report's projects and datasets separately, so no relation
   ties the two. Still, a dataset that one project alone uses on the register reads as that
   project's figure; when that project's total is not published, the dataset's cell is
   withheld from the start (and its custodian's, if the custodian's relation would give it).
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
    floor: int = 0  # the least a withheld cell can be, as the public knows it

    def bounds(self, total: int) -> tuple[int, int]:
        if self.hidden == PRIMARY:
            return 1, SMALL_COUNT - 1
        if self.hidden == WITHHELD:
            return self.floor, total
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


def display_of(row: dict) -> str:
    """A published cell's text in the active language."""
    if row.get("suppressed") == PRIMARY:
        return _("fewer than 5")
    if row.get("suppressed") == WITHHELD:
        return _("withheld")
    return str(row["count"])


def _published(cell: Cell) -> dict:
    row = {
        "key": cell.key,
        "label": str(cell.label),
        "count": None if cell.hidden else cell.count,
        "suppressed": cell.hidden,
    }
    row["display"] = display_of(row)
    return row


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


TABLES = ("by_category", "by_state", "by_year")


@dataclass
class _Row:
    """One project in the family: its published total and, per table, its cells by key."""

    total: int
    tables: dict  # table name -> {key: Cell}, only the tables it publishes
    labels: dict  # table name -> [(key, label)], the project's own order
    counts: dict  # table name -> {key: true count}, published or not
    shown: bool = True  # False once its total is withheld


def _cells_from(raw: list, published: list[dict]) -> dict:
    hidden = {row["key"]: row["suppressed"] for row in published}
    return {key: Cell(key, label, count, hidden.get(key, "")) for key, label, count in raw}


def protect_register_family(register_counts: dict, project_counts: dict) -> tuple[dict, dict]:
    """The register's statistics and every project's, protected together (rules 1-5).

    ``register_counts`` are the register's raw counts and ``project_counts`` each project's
    (``{project id: counts}``, every project with reports that the register lists). Returns
    ``(register statistics, {project id: statistics})`` in the shapes of
    ``protect_harm_statistics`` and ``protect_project_statistics``.
    """
    register = protect_harm_statistics(register_counts)
    projects = {
        pk: protect_project_statistics(counts, register) for pk, counts in project_counts.items()
    }
    total = register["total"]["count"]
    if not total:
        return register, projects
    rows: dict = {}
    for pk, counts in project_counts.items():
        stats = projects[pk]
        if not stats["total"]["count"]:
            continue  # hidden or empty: part of the hidden row
        rows[pk] = _Row(
            total=counts["total"],
            tables={
                name: _cells_from(counts[name], stats[name])
                for name in TABLES
                if name not in stats["withheld_tables"]
            },
            labels={name: [(key, label) for key, label, _n in counts[name]] for name in TABLES},
            counts={name: {key: n for key, _label, n in counts[name]} for name in TABLES},
        )
    # The reports no published total accounts for may not be a small count.
    shown = sorted(rows.items(), key=lambda item: (item[1].total, item[0]))
    rest = total - sum(row.total for _pk, row in shown)
    while 0 < rest < SMALL_COUNT and shown:
        _pk, row = shown.pop(0)
        row.shown, row.tables = False, {}
        rest += row.total
    register_cells = {
        name: _cells_from(register_counts[name], register[name])
        for name in TABLES
        if name not in register["withheld_tables"]
    }
    relations = {
        "by_category": (1, MAX_CATEGORIES_PER_REPORT),
        "by_state": (1, 1),
        "by_year": (1, 1),
    }
    live = [row for row in rows.values() if row.shown]
    changed_register = False
    for name in TABLES:
        if name not in register_cells:
            continue
        if _protect_family_table(register_cells[name], live, name, relations[name], total):
            changed_register = True
            low, high = relations[name]
            cells = list(register_cells[name].values())
            if _protect_table(cells, low * total, high * total, total):
                register[name] = [_published(c) for c in cells]
            else:
                register[name] = []
                register["withheld_tables"].append(name)
    if changed_register and "by_quarter" in register_counts:
        register["by_quarter"] = _protect_quarters(
            register_counts["by_quarter"], register["by_year"]
        )
    for pk, row in rows.items():
        projects[pk] = _family_output(row, project_counts[pk])
    return register, projects


def withheld_statistics(total: int = 0) -> dict:
    """A project's statistics with everything withheld, its total too."""
    return {
        "total": _published(Cell("total", _("All reports"), total, WITHHELD)),
        **{name: [] for name in TABLES},
        "by_quarter": [],
        "withheld_tables": list(TABLES),
    }


def _family_output(row: _Row, counts: dict) -> dict:
    if not row.shown:
        return withheld_statistics(row.total)
    result = {
        "total": _published(Cell("total", _("All reports"), row.total)),
        "by_quarter": [],
        "withheld_tables": [],
    }
    for name in TABLES:
        cells = row.tables.get(name)
        if cells is None:
            result[name] = []
            result["withheld_tables"].append(name)
        else:
            result[name] = [_published(cells[key]) for key, _label in row.labels[name]]
    return result


def _protect_family_table(register: dict, rows: list[_Row], name, relation, total) -> bool:
    """Rule 5 for one table; True when the register's own cells had to change."""
    low_f, high_f = relation
    keys = list(register)
    column = {key: j for j, key in enumerate(keys)}
    register_changed = False
    zero = Cell(None, "", 0)
    while True:
        published = [row for row in rows if name in row.tables]
        fixes: dict[int, Cell] = {}  # id(cell) -> cell to withhold this round
        withhold_rows: set[int] = set()
        grow_register = False
        # Columns: the register's cell less all projects' published cells.
        for key, reg in register.items():
            if reg.hidden:
                continue
            shown = [row.tables[name].get(key, zero) for row in published]
            shown = [c for c in shown if not c.hidden and c.count]
            if 0 < reg.count - sum(c.count for c in shown) < SMALL_COUNT:
                cell = min(shown, key=lambda c: c.count)
                fixes[id(cell)] = cell
        if not fixes:
            problems = _family_problems(register, keys, column, rows, name, low_f, high_f, total)
            if problems is None:
                return register_changed
            pinned_register, pinned_rows, pinned_columns = problems
            if pinned_register:
                grow_register = True
            for row in pinned_rows:
                cells = row.tables[name]
                candidates = [
                    c
                    for c in cells.values()
                    if not c.hidden and (c.count or register[c.key].hidden or register[c.key].count)
                ]
                if candidates:
                    cell = min(candidates, key=lambda c: (c.count == 0, c.count))
                    fixes[id(cell)] = cell
                else:
                    withhold_rows.add(id(row))
            for key in pinned_columns:
                shown = [row.tables[name].get(key) for row in published]
                shown = [c for c in shown if c is not None and not c.hidden and c.count]
                if shown:
                    cell = min(shown, key=lambda c: c.count)
                    fixes[id(cell)] = cell
                elif not register[key].hidden:
                    register[key].hidden = WITHHELD
                    register_changed = grow_register = True
                else:
                    grow_register = True
        if grow_register:
            # As rule 4: beside a register table that hides a cell, no project's table.
            register_changed = True
            if any(name in row.tables for row in rows):
                for row in rows:
                    row.tables.pop(name, None)
                continue
            candidates = [c for c in register.values() if not c.hidden]
            if not candidates:
                return True
            min(candidates, key=lambda c: (c.count == 0, c.count)).hidden = WITHHELD
            continue
        if not fixes and not withhold_rows:
            return register_changed
        for cell in fixes.values():
            cell.hidden = WITHHELD
        for row in rows:
            if id(row) in withhold_rows:
                row.tables.pop(name, None)


def _family_problems(register, keys, column, rows, name, low_f, high_f, total):
    """Build the table's flow network and say what the published figures pin.

    Returns None when nothing is pinned (or no disjoint family fits the figures), else
    ``(a register cell is pinned, rows with a pinned hidden cell, columns where a cell of
    the hidden row or of a withheld table is pinned to 1..4)``.
    """
    from .flownet import feasible_circulation, pinned_edges

    big = (MAX_CATEGORIES_PER_REPORT + 1) * (total + 1)
    n_columns = len(keys)
    source, sink, rest = 0, 1, 2 + n_columns
    edges: list[tuple[int, int, int, int]] = []
    truth: list[int] = []
    owner: list[tuple] = []  # what each edge is, for the answer
    # Rows whose cells are all published are fixed: take them off the columns.
    fixed = [0] * n_columns
    register_truth = [register[key].count for key in keys]
    live_rows = []
    rest_total = total
    for row in rows:
        rest_total -= row.total
        cells = row.tables.get(name)
        if cells is not None and not any(c.hidden for c in cells.values()):
            for key, cell in cells.items():
                fixed[column[key]] += cell.count
        else:
            live_rows.append(row)
    edges.append((sink, source, 0, big))
    truth.append(sum(register_truth) - sum(fixed))
    owner.append(("circulation",))
    for j, key in enumerate(keys):
        cell = register[key]
        lo, hi = cell.bounds(total)
        edges.append((2 + j, sink, max(0, lo - fixed[j]), hi - fixed[j]))
        truth.append(cell.count - fixed[j])
        owner.append(("register", cell))
    node = rest + 1
    rest_truth = list(truth[1 : 1 + n_columns])
    for row in live_rows:
        cells = row.tables.get(name)
        edges.append((source, node, low_f * row.total, high_f * row.total))
        raw = row.tables.get(name) or {}
        truth.append(0)
        owner.append(("row total",))
        row_edge = len(truth) - 1
        for j, key in enumerate(keys):
            cell = raw.get(key) if cells is not None else None
            count = _true_count(row, name, key)
            if cells is not None and cell is not None and not cell.hidden:
                lo = hi = cell.count
            elif cells is not None and cell is None:
                lo = hi = 0
            elif cells is not None:
                lo, hi = cell.bounds(row.total)
            else:
                lo, hi = 0, row.total
            edges.append((node, 2 + j, lo, hi))
            truth.append(count)
            owner.append(("cell", row, key, cells is not None and cell is not None))
            truth[row_edge] += count
            rest_truth[j] -= count
        node += 1
    edges.append((source, rest, low_f * rest_total, high_f * rest_total))
    truth.append(sum(rest_truth))
    owner.append(("row total",))
    for j, _key in enumerate(keys):
        edges.append((rest, 2 + j, 0, big))
        truth.append(rest_truth[j])
        owner.append(("rest", keys[j]))
    flow = truth
    if any(not lo <= f <= hi for (_u, _v, lo, hi), f in zip(edges, truth, strict=True)):
        flow = feasible_circulation(node, edges)
        if flow is None:
            return None
    pinned = pinned_edges(node, edges, flow)
    pinned_register, pinned_rows, pinned_columns = False, [], []
    seen_rows = set()
    for what, is_pinned, (_u, _v, lo, hi), value in zip(owner, pinned, edges, flow, strict=True):
        if not is_pinned or lo == hi:
            continue
        if what[0] == "register":
            pinned_register = True
        elif what[0] == "rest":
            if 0 < value < SMALL_COUNT:
                pinned_columns.append(what[1])
        elif what[0] == "cell":
            _kind, row, key, in_table = what
            if in_table:
                if id(row) not in seen_rows:
                    seen_rows.add(id(row))
                    pinned_rows.append(row)
            elif 0 < value < SMALL_COUNT:
                pinned_columns.append(key)
    if not (pinned_register or pinned_rows or pinned_columns):
        return None
    return pinned_register, pinned_rows, list(dict.fromkeys(pinned_columns))


def _true_count(row: _Row, name: str, key) -> int:
    return row.counts[name].get(key, 0)


DATASET_TABLES = ("by_organisation", "by_dataset")


def protect_dataset_statistics(counts: dict, register: dict, tied=()) -> dict:
    """The register's reports per organisation (custodian) and per dataset, under rule 6.

    ``counts`` are ``harms.selectors.harm_counts_by_dataset``'s, ``register`` the register's
    statistics as published and ``tied`` the datasets that one project alone uses on the
    register and whose project's total is not published. Returns ``by_organisation`` and
    ``by_dataset`` (cells as the other tables; a dataset's cell also names its
    ``organisation``) and ``withheld_tables``, the ones of the two not published at all.
    """
    result: dict = {name: [] for name in DATASET_TABLES}
    result["withheld_tables"] = []
    reports = counts["reports"]
    if not reports:
        return result
    total = register["total"]["count"]
    if total is None or reports < SMALL_COUNT:
        result["withheld_tables"] = list(DATASET_TABLES)
        return result
    tied = set(tied)
    datasets: dict = {}  # custodian slug -> [Cell]
    custodian_of = {}
    for pk, title, slug, name, count in counts["by_dataset"]:
        # Only what some report names is listed: a listed cell is at least 1.
        cell = Cell(pk, title, count, WITHHELD if pk in tied else "", floor=1)
        datasets.setdefault(slug, []).append(cell)
        custodian_of[pk] = name
    for slug, name, count in counts["by_organisation"]:
        organisation = Cell(slug, name, count, floor=1)
        cells = datasets[slug]
        for cell in (organisation, *cells):
            if 0 < cell.count < SMALL_COUNT:
                cell.hidden = PRIMARY
            elif 0 < total - cell.count < SMALL_COUNT:
                cell.hidden = WITHHELD  # as rule 4: the reports not about it would be few
        _protect_custodian(organisation, cells, total)
        result["by_organisation"].append(_published(organisation))
        for cell in cells:
            row = _published(cell)
            row["organisation"] = custodian_of[cell.key]
            row["organisation_key"] = slug
            result["by_dataset"].append(row)
    return result


def _protect_custodian(organisation: Cell, datasets: list[Cell], total: int) -> None:
    """Secondary suppression within one custodian (rule 6): while the public can work out a
    hidden cell exactly, withhold the smallest published dataset, then the custodian's cell."""
    while _custodian_pinned(organisation, datasets, total):
        candidates = sorted((c for c in datasets if not c.hidden), key=lambda c: c.count)
        if candidates:
            candidates[0].hidden = WITHHELD
        elif not organisation.hidden:
            organisation.hidden = WITHHELD
        else:  # every cell hidden: nothing pins one (the truth and its neighbours fit)
            return


def _custodian_pinned(organisation: Cell, datasets: list[Cell], total: int) -> bool:
    """Whether the relations of one custodian pin a hidden cell: each dataset's reports are
    among the custodian's (``D <= O``) and each of the custodian's reports names one of its
    datasets or more (``O <= sum D``), every cell within its bounds (below ``total``).

    For the custodian's count ``x`` the datasets fit when every dataset's least is at most
    ``x`` and ``sum(min(hi, x)) >= x``; the second holds on ``[0, x*]`` (the slack is concave
    and 0 at 0), so the custodian's exact range is an interval. A dataset's range is the
    union over that interval of ``[max(lo, x - others' sum(min(hi, x))), min(hi, x)]``, which
    is an interval too: its ends are the least left end and the greatest right end."""
    o_lo, o_hi = organisation.bounds(total)
    bounds = [c.bounds(total) for c in datasets]
    x_lo = max([o_lo, *(lo for lo, _hi in bounds)])

    def slack(x):
        return sum(min(hi, x) for _lo, hi in bounds) - x

    low, high = 0, sum(hi for _lo, hi in bounds)  # slack(low) >= 0; find the last such x
    while low < high:
        middle = (low + high + 1) // 2
        if slack(middle) >= 0:
            low = middle
        else:
            high = middle - 1
    x_hi = min(o_hi, low)
    if x_lo > x_hi:
        return True  # the truth always fits: cannot happen, but then trust nothing
    if organisation.hidden and x_lo == x_hi:
        return True
    # x - (others' sum(min(hi, x))) is convex and piecewise linear: least at an end or a bend.
    points = {x_lo, x_hi, *(hi for _lo, hi in bounds if x_lo < hi < x_hi)}
    everyone = [(x, sum(min(hi, x) for _lo, hi in bounds)) for x in points]
    for cell, (lo, hi) in zip(datasets, bounds, strict=True):
        if not cell.hidden:
            continue
        least = min(x - (whole - min(hi, x)) for x, whole in everyone)
        if max(lo, least) == min(hi, x_hi):
            return True
    return False
