"""Why a use was allowed, for its public register entry: the committee's public-value
assessment (each reviewer's normalised scores, anonymous, their mean and spread, the applicant's
self-assessment), the types, the conditions of approval and their state, the DUO terms with any
acknowledged consent conflict, and the access mode per dataset.

Only filed assessments of reviewers who were counted (assignment filed, not recused) appear,
as in ``reviews.selectors.public_classifications``; unfiled drafts never do. No reviewer,
author or acknowledger is named: reviewers are numbered by their scores, which reveals nothing
the scores do not. Three queries whatever the number of reviewers, conditions or datasets.
"""

from fractions import Fraction

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from applications.models import ConsentAcknowledgement
from reviews import scoring
from reviews.models import (
    SCORE_COLUMNS,
    Assessment,
    AssessmentKind,
    AssignmentState,
    Condition,
    ConditionState,
    UseType,
)
from solidarity.catalog.duo import DataUse, DataUseModifier

SCORE_FIELDS = ("kind", *SCORE_COLUMNS)


def _normalised(row: dict, axis: str) -> Fraction:
    return scoring.AxisScore(
        row[f"{axis}_score"], row[f"{axis}_min"], row[f"{axis}_max"]
    ).normalised_exact


def _point(benefit: Fraction, safety: Fraction) -> dict:
    return {
        "benefit": round(float(benefit), 4),
        "safety": round(float(safety), 4),
        "type": scoring.classify(benefit, safety),
    }


def _spread(values: list[Fraction]) -> dict:
    """Lowest, highest, range and (population) standard deviation of one axis."""
    if not values:
        return {}
    mean = sum(values) / len(values)
    variance = sum((v - mean) ** 2 for v in values) / len(values)
    return {
        "min": round(float(min(values)), 4),
        "max": round(float(max(values)), 4),
        "range": round(float(max(values) - min(values)), 4),
        "sd": round(float(variance) ** 0.5, 4),
    }


def _assessment(application_id: int) -> dict:
    rows = list(
        Assessment.objects.filter(application_id=application_id, filed_at__isnull=False)
        .filter(
            Q(kind=AssessmentKind.SELF)
            | Q(kind=AssessmentKind.REVIEWER, assignment__state=AssignmentState.FILED)
        )
        .order_by("id")
        .values(*SCORE_FIELDS)
    )
    pairs = [
        (_normalised(r, "benefit"), _normalised(r, "safety"))
        for r in rows
        if r["kind"] == AssessmentKind.REVIEWER
    ]
    # A stable order that reveals no identity: by the scores themselves.
    pairs.sort(key=lambda p: (-p[0], -p[1]))
    reviewers = [
        {"label": _("Reviewer %(n)s") % {"n": n}, **_point(b, s)}
        for n, (b, s) in enumerate(pairs, start=1)
    ]
    mean = None
    if pairs:
        mean = _point(
            sum(b for b, _s in pairs) / len(pairs), sum(s for _b, s in pairs) / len(pairs)
        )
    own = [r for r in rows if r["kind"] == AssessmentKind.SELF]
    self_assessment = (
        _point(_normalised(own[0], "benefit"), _normalised(own[0], "safety")) if own else None
    )
    return {
        "reviewers": reviewers,
        "mean": mean,
        "spread": {
            "benefit": _spread([b for b, _s in pairs]),
            "safety": _spread([s for _b, s in pairs]),
        }
        if pairs
        else {},
        "self_assessment": self_assessment,
    }


def _condition_status(row: dict, today) -> tuple[str, str]:
    if row["state"] == ConditionState.MET:
        return "met", _("met")
    if row["state"] == ConditionState.WAIVED:
        return "waived", _("waived")
    if row["overdue_since"] is not None or row["due_on"] < today:
        return "overdue", _("overdue")
    return "open", _("open")


def _conditions(application_id: int) -> list[dict]:
    today = timezone.localdate()
    result = []
    for row in Condition.objects.filter(application_id=application_id).values(
        "text", "state", "due_on", "overdue_since"
    ):
        status, label = _condition_status(row, today)
        result.append(
            {
                "text": row["text"],
                "due_on": row["due_on"].isoformat(),
                "status": status,
                "status_label": str(label),
            }
        )
    return result


TERM_LABELS = {**dict(DataUse.choices), **dict(DataUseModifier.choices)}


def _term(code: str) -> dict:
    return {"code": code, "label": str(TERM_LABELS.get(code, code))}


def _consent(app, entry_datasets: list[dict]) -> tuple[list[dict], list[dict]]:
    """Per dataset used: its DUO terms and its access mode; and the consent conflicts
    acknowledged with a reason (the reason only: never who wrote it)."""
    datasets = {r.dataset_id: r.dataset for r in app.dataset_requests.all()}
    terms = []
    for shown in entry_datasets:
        dataset = datasets[shown["id"]]
        terms.append(
            {
                "dataset": shown["title"],
                "custodian": shown["custodian"],
                "access_mode": shown["access_mode"],
                "access_mode_label": shown["access_mode_label"],
                "consent": _term(dataset.consent_use),
                "restrictions": [_term(m) for m in (dataset.consent_modifiers or [])],
            }
        )
    conflicts = [
        {"dataset": row["dataset__title"], "term": _term(row["term"]), "reason": row["reason"]}
        for row in ConsentAcknowledgement.objects.filter(application_id=app.pk)
        .order_by("acknowledged_at", "id")
        .values("dataset__title", "term", "reason")
    ]
    return terms, conflicts


def _type_label(code: str) -> str:
    return str(dict(UseType.choices).get(code, "")) if code else ""


def register_why(app, entry) -> dict:
    """Everything the entry page shows under "Why it was allowed" (also in the API's entry)."""
    terms, conflicts = _consent(app, entry.datasets)
    overridden = bool(entry.use_type and entry.computed_type != entry.use_type)
    return {
        "assessment": _assessment(app.pk),
        "computed_type": entry.computed_type,
        "computed_type_label": _type_label(entry.computed_type),
        "effective_type": entry.use_type,
        "effective_type_label": _type_label(entry.use_type),
        "overridden": overridden,
        "type_reason": entry.use_type_reason,
        "research_use": _term(app.research_use),
        "conditions": _conditions(app.pk),
        "duo_terms": terms,
        "consent_conflicts": conflicts,
    }


QUADRANTS = (  # (x = safety, y = benefit) at the middle of each type's quadrant
    (0.5, 0.5, scoring.TYPE_A),
    (0.5, -0.5, scoring.TYPE_B),
    (-0.5, 0.5, scoring.TYPE_C),
    (-0.5, -0.5, scoring.TYPE_D),
)


def why_chart(assessment: dict, *, chart_id: str) -> str:
    """The committee mean and each reviewer on PLUTO's two axes (x safety, y public benefit,
    each from -1 to 1), with the quadrants' types A to D, as CSP-safe inline SVG (pygal XY)
    with a title and description; the data table beside it gives every point."""
    import pygal

    from .fund import _accessible_svg

    if not assessment.get("reviewers"):
        return ""
    chart = pygal.XY(
        js=[],
        no_prefix=True,
        disable_xml_declaration=True,
        width=540,
        height=480,
        explicit_size=False,
        stroke=False,
        xrange=(-1, 1),
        range=(-1, 1),
        x_title=_("Safety (higher means lower risk)"),
        y_title=_("Public benefit"),
        print_labels=True,
        show_x_guides=True,
        legend_at_bottom=True,
        legend_at_bottom_columns=2,
        truncate_legend=-1,
    )
    chart.add(
        _("Types (quadrants)"),
        [{"value": (x, y), "label": t} for x, y, t in QUADRANTS],
        dots_size=0.01,
    )
    chart.add(
        _("Reviewers"),
        [
            {"value": (r["safety"], r["benefit"]), "label": r["label"]}
            for r in assessment["reviewers"]
        ],
    )
    mean = assessment["mean"]
    chart.add(
        _("Committee mean"),
        [{"value": (mean["safety"], mean["benefit"]), "label": _("Mean")}],
        dots_size=6,
    )
    own = assessment.get("self_assessment")
    if own:
        chart.add(
            _("Self-assessment"),
            [{"value": (own["safety"], own["benefit"]), "label": _("Applicant")}],
        )
    description = _(
        "Quadrants: A (top right) high benefit and safety, B (bottom right) low benefit and "
        "high safety, C (top left) high benefit and low safety, D (bottom left) low benefit and "
        "safety. Committee mean: benefit %(b)s, safety %(s)s (type %(t)s), from %(n)s "
        "reviewers; the table beside the chart gives every point."
    ) % {
        "b": mean["benefit"],
        "s": mean["safety"],
        "t": mean["type"],
        "n": len(assessment["reviewers"]),
    }
    return _accessible_svg(
        chart,
        chart_id,
        _("The committee's assessment on the two axes of public value"),
        description,
    )
