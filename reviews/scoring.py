"""The public-value instrument's arithmetic, exactly as DESIGN §4 (and PLUTO) state it.

Pure functions over plain data: no database, no Django models. The applicant's self-assessment,
each reviewer's assessment, the committee view and the API all call ``score_answers``.

Per axis: *score* is the sum of the picked weights over the answered questions; *range* is the
sum, over the same questions, of the lowest and the highest sum any valid selection of that
question could give; *normalised* = 2·(score - min)/(max - min) - 1, or 0 where max = min.
A question answered "I don't know" (``unknown``) is left out of both score and range.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction

from django.utils.translation import gettext as _

from .framework_texts import framework_text

BENEFIT = "benefit"
SAFETY = "safety"
AXES = (BENEFIT, SAFETY)

REGULAR = "regular"
OTHER_INCLUSIVE = "other_inclusive"
OTHER_EXCLUSIVE = "other_exclusive"
UNKNOWN = "unknown"
KINDS = (REGULAR, OTHER_INCLUSIVE, OTHER_EXCLUSIVE, UNKNOWN)
# Kinds that may only be picked alone.
ALONE_KINDS = (OTHER_EXCLUSIVE, UNKNOWN)

TYPE_A, TYPE_B, TYPE_C, TYPE_D, TYPE_MIXED = "A", "B", "C", "D", "mixed"


@dataclass(frozen=True)
class ChoiceSpec:
    id: int
    weight: int
    kind: str = REGULAR
    label: str = ""
    feedback: str = ""


@dataclass(frozen=True)
class QuestionSpec:
    id: int
    axis: str
    min_select: int
    max_select: int
    choices: tuple[ChoiceSpec, ...]
    label: str = ""
    text: str = ""
    feedback: str = ""

    def choice_map(self) -> dict[int, ChoiceSpec]:
        return {c.id: c for c in self.choices}


def question_bounds(question: QuestionSpec) -> tuple[int, int]:
    """The lowest and highest sum that any valid selection of this question can give.

    Valid selections: any set of regular/other_inclusive choices whose size is within the
    bounds, or an other_exclusive or unknown choice alone (unknown weighs 0 here, as in PLUTO).
    For a given size k, the lowest sum is that of the k smallest weights and the highest that of
    the k largest, so no enumeration of combinations is needed.
    """
    candidates: list[int] = [
        c.weight if c.kind != UNKNOWN else 0 for c in question.choices if c.kind in ALONE_KINDS
    ]
    combinable = sorted(c.weight for c in question.choices if c.kind not in ALONE_KINDS)
    low_size = max(question.min_select, 1)
    high_size = min(question.max_select, len(combinable))
    lows, highs = list(candidates), list(candidates)
    for k in range(low_size, high_size + 1):
        lows.append(sum(combinable[:k]))
        highs.append(sum(combinable[-k:]))
    if not lows:
        return 0, 0
    return min(lows), max(highs)


def validate_selection(question: QuestionSpec, picked: Sequence[int]) -> str | None:
    """Why this selection is not valid for the question, or None when it is."""
    choices = question.choice_map()
    picked_list = list(picked)
    if len(set(picked_list)) != len(picked_list):
        return _("The same choice is picked twice.")
    unknown_ids = [pk for pk in picked_list if pk not in choices]
    if unknown_ids:
        return _("A picked choice does not belong to this question.")
    kinds = [choices[pk].kind for pk in picked_list]
    if any(kind in ALONE_KINDS for kind in kinds) and len(picked_list) > 1:
        return _("“Other (only)” and “I don't know” must be picked alone.")
    if len(picked_list) == 1 and kinds[0] in ALONE_KINDS:
        return None
    if len(picked_list) < question.min_select:
        return _("Pick at least %(n)s.") % {"n": question.min_select}
    if len(picked_list) > question.max_select:
        return _("Pick at most %(n)s.") % {"n": question.max_select}
    return None


def validate_answers(
    questions: Iterable[QuestionSpec],
    answers: Mapping[int, Sequence[int]],
    *,
    require_all: bool = False,
) -> dict[int, str]:
    """A message per question whose answer is invalid (or missing, when all are required)."""
    by_id = {q.id: q for q in questions}
    errors: dict[int, str] = {}
    for qid in answers:
        if qid not in by_id:
            errors[qid] = _("No such question in this framework.")
    for qid, question in by_id.items():
        picked = list(answers.get(qid) or [])
        if not picked:
            if require_all:
                errors[qid] = _("Answer this question (or pick “I don't know” where offered).")
            continue
        message = validate_selection(question, picked)
        if message:
            errors[qid] = message
    return errors


@dataclass(frozen=True)
class AxisScore:
    score: int = 0
    minimum: int = 0
    maximum: int = 0
    answered: int = 0

    @property
    def normalised(self) -> float:
        return float(self.normalised_exact)

    @property
    def normalised_exact(self) -> Fraction:
        if self.maximum == self.minimum:
            return Fraction(0)
        return 2 * Fraction(self.score - self.minimum, self.maximum - self.minimum) - 1


@dataclass(frozen=True)
class Shortfall:
    """A question whose answer pulled its axis down, with PLUTO's "would be higher if" text."""

    question_id: int
    label: str
    axis: str
    lost: int
    feedback: str


@dataclass(frozen=True)
class Result:
    benefit: AxisScore
    safety: AxisScore
    unknown: tuple[int, ...] = ()
    shortfalls: tuple[Shortfall, ...] = field(default=())

    @property
    def type(self) -> str:
        return classify(self.benefit.normalised_exact, self.safety.normalised_exact)

    def as_dict(self) -> dict:
        return {
            "benefit": _axis_dict(self.benefit),
            "safety": _axis_dict(self.safety),
            "type": self.type,
            "unknown_questions": list(self.unknown),
        }


def _axis_dict(axis: AxisScore) -> dict:
    return {
        "score": axis.score,
        "min": axis.minimum,
        "max": axis.maximum,
        "answered": axis.answered,
        "normalised": round(axis.normalised, 4),
    }


def classify(benefit, safety) -> str:
    """The type from the signs of the two normalised scores; "mixed" when either is exactly 0."""
    if benefit == 0 or safety == 0:
        return TYPE_MIXED
    if benefit > 0:
        return TYPE_A if safety > 0 else TYPE_C
    return TYPE_B if safety > 0 else TYPE_D


def score_answers(
    questions: Iterable[QuestionSpec], answers: Mapping[int, Sequence[int]]
) -> Result:
    """Score valid answers (validate them first); unanswered and unknown questions are skipped."""
    totals = {axis: [0, 0, 0, 0] for axis in AXES}  # score, min, max, answered
    unknown: list[int] = []
    shortfalls: list[Shortfall] = []
    for question in questions:
        picked = list(answers.get(question.id) or [])
        if not picked:
            continue
        choices = question.choice_map()
        chosen = [choices[pk] for pk in picked]
        if any(c.kind == UNKNOWN for c in chosen):
            unknown.append(question.id)
            continue
        low, high = question_bounds(question)
        value = sum(c.weight for c in chosen)
        axis = totals[question.axis]
        axis[0] += value
        axis[1] += low
        axis[2] += high
        axis[3] += 1
        if value < high:
            texts = [c.feedback for c in chosen if c.feedback] or [question.feedback]
            shortfalls.append(
                Shortfall(
                    question_id=question.id,
                    label=question.label,
                    axis=question.axis,
                    lost=high - value,
                    feedback="; ".join(framework_text(t) for t in texts if t),
                )
            )
    shortfalls.sort(key=lambda s: (-s.lost, s.question_id))
    return Result(
        benefit=AxisScore(*totals[BENEFIT]),
        safety=AxisScore(*totals[SAFETY]),
        unknown=tuple(unknown),
        shortfalls=tuple(shortfalls),
    )


def mean_type(pairs: Sequence[tuple[float, float]]) -> tuple[float, float, str] | None:
    """The committee's mean normalised scores and the type they give, or None without filings."""
    if not pairs:
        return None
    benefit = sum(Fraction(b) for b, _s in pairs) / len(pairs)
    safety = sum(Fraction(s) for _b, s in pairs) / len(pairs)
    return float(benefit), float(safety), classify(benefit, safety)
