"""The public page of the solidarity fund: what came in (by project and kind of obligation),
what was paid out as redress (by kind of harm) and the balance over time, straight from the
append-only ledger. Nothing personal: no payer, officer, reason text or harmed person.

Redress is counted per payment under the first kind of harm its report names (in the order of
``HarmCategory``), so the rows add up to the total paid out. The number of payments per kind
of harm is protected like the harm statistics (``disclosure``): a count from 1 to 4 is hidden,
with complementary suppression; where a count is hidden its amount is hidden too.

The balance over time could give one redress payment away: a month with one payment and no
inflow changes the balance by exactly that amount. So a month's closing balance is published
only when the redress payments since the last published balance number none or at least
``SMALL_COUNT`` (5); other months are left out (the line joins the published months), and the
latest months appear once that holds. Any difference of two published balances then contains
no redress or at least five payments.

The ledger is read through ``benefits.selectors`` and ``harms.selectors`` (read-only).
"""

import functools
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from xml.etree import ElementTree as ET

from django.utils import formats
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from applications.models import PUBLIC_STATES
from benefits.models import ObligationKind
from benefits.money import CURRENCY_EXPONENTS
from benefits.selectors import public_fund_inflows, public_fund_months, public_fund_outflows
from harms.models import HarmCategory
from harms.selectors import redress_report_categories

from .disclosure import SMALL_COUNT, Cell, _protect_table, _published

REDRESS_SOURCE = "harms.redressaction"
SVG = "http://www.w3.org/2000/svg"


def money(minor: int, currency: str) -> str:
    """Minor units in the active locale's number format: 123456 EUR → "1,234.56 EUR" (en),
    "1.234,56 EUR" (de), "1 234,56 EUR" (fr)."""
    digits = CURRENCY_EXPONENTS.get(currency, 2)
    value = Decimal(int(minor)).scaleb(-digits)
    return f"{formats.number_format(value, decimal_pos=digits, force_grouping=True)} {currency}"


@dataclass
class FundPage:
    inflows: list[dict] = field(default_factory=list)
    inflow_totals: list[dict] = field(default_factory=list)
    redress: dict = field(default_factory=dict)  # currency -> {"rows", "total"}
    balances: dict = field(default_factory=dict)  # currency -> [{"month", "balance", ...}]
    currencies: list[str] = field(default_factory=list)


def _inflows() -> tuple[list[dict], list[dict]]:
    rows = public_fund_inflows()
    labels = dict(ObligationKind.choices)
    grouped: dict = defaultdict(int)
    for row in rows:
        public = row["agreement__application__state"] in PUBLIC_STATES
        reference = row["agreement__application__reference"] if public else ""
        title = row["agreement__application__title"] if public else ""
        kind = row["obligation_kind"]
        grouped[(reference or "", title or "", kind, row["currency"])] += row["total"]
    inflows = [
        {
            "reference": reference,
            "project": title or _("Other contributions"),
            "kind": kind,
            "kind_label": str(labels.get(kind, _("Other payment"))),
            "currency": currency,
            "amount_minor": amount,
            "amount": money(amount, currency),
        }
        for (reference, title, kind, currency), amount in sorted(
            grouped.items(), key=lambda item: (item[0][3], item[0][0] == "", item[0][0], item[0][2])
        )
    ]
    totals: dict = defaultdict(int)
    for row in inflows:
        totals[row["currency"]] += row["amount_minor"]
    inflow_totals = [
        {"currency": c, "amount_minor": a, "amount": money(a, c)} for c, a in sorted(totals.items())
    ]
    return inflows, inflow_totals


def _redress() -> dict:
    payments = public_fund_outflows(source_type=REDRESS_SOURCE)
    ids = [int(p[0]) for p in payments if str(p[0]).isdigit()]
    categories = redress_report_categories(ids)
    order = HarmCategory.values
    per_currency: dict = defaultdict(lambda: defaultdict(lambda: [0, 0]))
    for source_id, currency, amount in payments:
        cats = categories.get(int(source_id), []) if str(source_id).isdigit() else []
        first = min(cats, key=order.index) if cats else HarmCategory.OTHER
        cell = per_currency[currency][first]
        cell[0] += 1
        cell[1] += -amount
    result = {}
    for currency, by_category in sorted(per_currency.items()):
        count = sum(n for n, _a in by_category.values())
        total = sum(a for _n, a in by_category.values())
        cells = [Cell(k, label, by_category[k][0]) for k, label in HarmCategory.choices]
        whole_table = _protect_table(cells, count, count, count) if count >= 5 else False
        rows = []
        for cell in cells:
            shown = (
                _published(cell)
                if whole_table
                else {
                    "key": cell.key,
                    "label": str(cell.label),
                    "count": None,
                    "display": _("withheld"),
                    "suppressed": "withheld",
                }
            )
            amount = by_category[cell.key][1]
            hidden = shown["count"] is None
            shown["amount_minor"] = None if hidden else amount
            shown["amount"] = _("withheld") if hidden else money(amount, currency)
            rows.append(shown)
        result[currency] = {
            "rows": rows,
            "payments": count if count >= 5 else None,
            "payments_display": str(count) if count >= 5 else _("fewer than 5"),
            "total_minor": total,
            "total": money(total, currency),
        }
    return result


def _balances() -> dict:
    """Month-end balances per currency, only where the redress payments since the previous
    published month number none or at least ``SMALL_COUNT`` (see the module's docstring)."""
    series: dict = defaultdict(list)
    running: dict = defaultdict(int)
    unpublished_redress: dict = defaultdict(int)
    for row in public_fund_months(counted_source_type=REDRESS_SOURCE):
        currency = row["currency"]
        running[currency] += row["change"]
        unpublished_redress[currency] += row["counted"]
        if 0 < unpublished_redress[currency] < SMALL_COUNT:
            continue
        unpublished_redress[currency] = 0
        month = row["month"]
        series[currency].append(
            {
                "month": month.strftime("%Y-%m"),
                "month_label": formats.date_format(month, "YEAR_MONTH_FORMAT"),
                "balance_minor": running[currency],
                "balance": money(running[currency], currency),
            }
        )
    return dict(series)


def fund_page() -> FundPage:
    """Everything the public fund page shows, in five queries whatever the ledger's size."""
    inflows, inflow_totals = _inflows()
    redress = _redress()
    balances = _balances()
    currencies = sorted({*balances, *redress, *(t["currency"] for t in inflow_totals)})
    return FundPage(inflows, inflow_totals, redress, balances, currencies)


def quarter_chart(quarters: list[dict], *, chart_id: str) -> str:
    """Harm reports per quarter (after disclosure control) as the same CSP-safe inline SVG;
    a hidden quarter is a gap in the line, never a guessed value.

    The public register shows it on every page: the SVG is a pure function of the published
    counts and the language, so it is drawn once per (counts, language) and kept in memory."""
    points = tuple((str(q["label"]), q["count"]) for q in quarters)
    return _quarter_chart(points, chart_id, get_language())


@functools.lru_cache(maxsize=32)
def _quarter_chart(points: tuple, chart_id: str, language: str) -> str:
    import pygal

    chart = pygal.Line(
        js=[],
        no_prefix=True,
        disable_xml_declaration=True,
        show_legend=False,
        width=720,
        height=320,
        x_label_rotation=0,
        allow_interruptions=True,
    )
    chart.x_labels = [label for label, _count in points]
    chart.add(_("Reports"), [count for _label, count in points])
    shown = [(label, count) for label, count in points if count is not None]
    description = _(
        "%(shown)s of %(all)s quarters published; the table below gives every quarter, with "
        "small counts hidden."
    ) % {"shown": len(shown), "all": len(points)}
    if shown:
        peak = max(shown, key=lambda point: point[1])
        description += " " + _("Highest published: %(label)s, %(count)s reports.") % {
            "label": peak[0],
            "count": peak[1],
        }
    return _accessible_svg(
        chart, chart_id, _("Harm reports received, quarter by quarter"), description
    )


def balance_chart(points: list[dict], currency: str, *, chart_id: str) -> str:
    """The balance over time as inline SVG drawn by pygal, made safe for a strict CSP: no
    script, no <style> element, no style attribute (the chart's rules are in the static
    stylesheet ``css/charts.css``), with a title and description for assistive technology."""
    import pygal

    digits = CURRENCY_EXPONENTS.get(currency, 2)
    chart = pygal.Line(
        js=[],
        no_prefix=True,
        disable_xml_declaration=True,
        show_legend=False,
        width=720,
        height=320,
        explicit_size=False,
        x_label_rotation=0,
        show_minor_x_labels=True,
        value_formatter=lambda v: money(round(v * 10**digits), currency),
    )
    chart.x_labels = [p["month"] for p in points]
    chart.add(currency, [p["balance_minor"] / 10**digits for p in points])
    description = ""
    if points:
        description = _(
            "From %(start)s (%(first)s) to %(end)s (%(last)s); the table beside the chart "
            "gives every month."
        ) % {
            "start": points[0]["month_label"],
            "first": points[0]["balance"],
            "end": points[-1]["month_label"],
            "last": points[-1]["balance"],
        }
    title = _("Balance of the solidarity fund in %(currency)s, month by month") % {
        "currency": currency
    }
    return _accessible_svg(chart, chart_id, title, description)


def _accessible_svg(chart, chart_id: str, title_text: str, description: str) -> str:
    """pygal's output made safe for a strict CSP and labelled for assistive technology."""
    # pygal's own output from numbers and our labels, never user input: no entity expansion risk.
    root = ET.fromstring(chart.render(is_unicode=True))  # noqa: S314
    _strip_unsafe(root)
    for old_title in root.findall(f"{{{SVG}}}title"):  # pygal's "Pygal"; ours goes first
        root.remove(old_title)
    title_id, desc_id = f"{chart_id}-title", f"{chart_id}-desc"
    root.set("role", "img")
    root.set("aria-labelledby", f"{title_id} {desc_id}")
    root.set("id", chart_id)
    root.set("class", "pygal-chart")
    title = ET.Element(f"{{{SVG}}}title", {"id": title_id})
    title.text = title_text
    desc = ET.Element(f"{{{SVG}}}desc", {"id": desc_id})
    desc.text = description
    root.insert(0, desc)
    root.insert(0, title)
    ET.register_namespace("", SVG)
    ET.register_namespace("xlink", "http://www.w3.org/1999/xlink")
    # Serialised by ElementTree, which escapes every text and attribute value.
    return mark_safe(ET.tostring(root, encoding="unicode"))  # noqa: S308


def _strip_unsafe(root: ET.Element) -> None:
    """Remove what a strict CSP blocks or what leaks nothing useful: scripts, style elements,
    style attributes (turned into presentation attributes), comments and empty ids."""
    for parent in root.iter():
        for child in list(parent):
            tag = child.tag if isinstance(child.tag, str) else ""
            if tag.endswith("}script") or tag.endswith("}style") or not tag:
                parent.remove(child)
    for element in root.iter():
        style = element.attrib.pop("style", None)
        if style:
            for declaration in style.split(";"):
                name, _sep, value = declaration.partition(":")
                if name.strip() and value.strip():
                    element.set(name.strip(), value.strip())
        if element.get("id") == "":
            del element.attrib["id"]
