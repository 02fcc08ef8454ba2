"""The scoring of DESIGN §4, against hand-worked PLUTO examples and as properties."""

import json
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reviews import scoring
from reviews.scoring import ChoiceSpec, QuestionSpec
from reviews.services.frameworks import BUNDLED_PLUTO, parse_pluto


def pluto_specs() -> dict[str, QuestionSpec]:
    """PLUTO's questions keyed by label, with PLUTO's own ids as question and choice ids."""
    parsed = parse_pluto(json.loads(BUNDLED_PLUTO.read_text()))
    specs = {}
    for group in parsed["groups"]:
        for q in group["questions"]:
            specs[q["label"]] = QuestionSpec(
                id=int(q["external_id"]),
                axis=q["axis"],
                min_select=q["min_select"],
                max_select=q["max_select"],
                choices=tuple(
                    ChoiceSpec(
                        id=int(c["external_id"]),
                        weight=c["weight"],
                        kind=c["kind"],
                        feedback=c["feedback"],
                    )
                    for c in q["choices"]
                ),
                label=q["label"],
                feedback=q["feedback"],
            )
    return specs


PLUTO = pluto_specs()


@pytest.mark.parametrize(
    ("label", "low", "high"),
    [
        ("Q1", 0, 0),  # two regular choices weighing 0
        ("Q2", -1, 2),  # up to two of [1, 1, -1, 1, 1], or "other" alone (0)
        ("Q3", 0, 1),  # up to two of [0, 0, 1, 0]; other alone 0; unknown alone 0
        ("Q4", -2, 2),  # two of [-1, 0, 1, -1, 1, 0]
        ("Q6", -3, 2),  # one of [-3, 2]
        ("Q8", -1, 5),  # 1-4 of [-1, 2, 2, 1, 0(other, inclusive)]: 2+2+1 = 5, -1 alone
        ("Q12", -15, 0),  # 1-5 of six -3s; "I don't know" alone weighs 0 and lifts the top
        ("Q13", -4, 0),  # no unknown: one of [0, -2, -4]
    ],
)
def test_question_bounds_match_hand_worked_pluto_values(label, low, high):
    assert scoring.question_bounds(PLUTO[label]) == (low, high)


def test_hand_worked_example_with_multi_select_and_unknown():
    q = PLUTO
    answers = {
        q["Q2"].id: [146, 148],  # 1 + -1 = 0, range [-1, 2]
        q["Q3"].id: [156],  # "I don't know": left out of score and range
        q["Q4"].id: [169],  # 1, range [-2, 2]
        q["Q8"].id: [227, 228, 229],  # 2 + 2 + 1 = 5, range [-1, 5]
        q["Q6"].id: [128],  # -3, range [-3, 2]
        q["Q12"].id: [179, 178],  # -6, range [-15, 0]
    }
    specs = list(q.values())
    assert scoring.validate_answers(specs, answers) == {}
    result = scoring.score_answers(specs, answers)
    assert (result.benefit.score, result.benefit.minimum, result.benefit.maximum) == (6, -4, 9)
    assert result.benefit.normalised_exact == Fraction(7, 13)
    assert (result.safety.score, result.safety.minimum, result.safety.maximum) == (-9, -18, 2)
    assert result.safety.normalised_exact == Fraction(-1, 10)
    assert result.type == "C"
    assert result.unknown == (q["Q3"].id,)
    assert result.benefit.answered == 3
    # The questions that pulled the score down come first by what they lost, with feedback.
    assert result.shortfalls[0].label == "Q12"
    assert result.shortfalls[0].lost == 6
    assert "lower financial risk" in result.shortfalls[0].feedback


def test_other_exclusive_alone_counts_with_its_weight():
    q = PLUTO["Q2"]
    result = scoring.score_answers([q], {q.id: [150]})
    assert (result.benefit.score, result.benefit.minimum, result.benefit.maximum) == (0, -1, 2)
    assert result.benefit.normalised_exact == Fraction(-1, 3)


def test_exclusive_and_unknown_choices_must_be_picked_alone():
    q2, q3 = PLUTO["Q2"], PLUTO["Q3"]
    errors = scoring.validate_answers([q2, q3], {q2.id: [150, 146], q3.id: [156, 225]})
    assert set(errors) == {q2.id, q3.id}
    assert "alone" in errors[q2.id]


def test_selection_bounds_are_enforced_per_question():
    q2, q8 = PLUTO["Q2"], PLUTO["Q8"]
    errors = scoring.validate_answers([q2, q8], {q2.id: [146, 224, 147]})
    assert errors == {q2.id: "Pick at most 2."}
    errors = scoring.validate_answers([q2, q8], {}, require_all=True)
    assert set(errors) == {q2.id, q8.id}


def test_a_choice_of_another_question_is_refused():
    q1, q2 = PLUTO["Q1"], PLUTO["Q2"]
    errors = scoring.validate_answers([q1, q2], {q1.id: [146]})
    assert "does not belong" in errors[q1.id]


def test_only_unknown_answers_give_zero_and_mixed():
    q3, q6 = PLUTO["Q3"], PLUTO["Q6"]
    result = scoring.score_answers([q3, q6], {q3.id: [156], q6.id: [131]})
    assert result.benefit.normalised == 0 and result.safety.normalised == 0
    assert result.type == "mixed"


@pytest.mark.parametrize(
    ("benefit", "safety", "expected"),
    [
        (0.5, 0.5, "A"),
        (-0.5, 0.5, "B"),
        (0.5, -0.5, "C"),
        (-0.5, -0.5, "D"),
        (0, 0.5, "mixed"),
        (0.5, 0, "mixed"),
    ],
)
def test_type_comes_from_the_signs(benefit, safety, expected):
    assert scoring.classify(benefit, safety) == expected


def test_mean_of_reviewers_gives_the_committee_type():
    assert (
        scoring.mean_type([(Fraction(1, 2), Fraction(-1, 3)), (Fraction(1, 4), Fraction(1, 3))])[2]
        == "mixed"
    )
    benefit, safety, kind = scoring.mean_type([(Fraction(1), Fraction(1, 2)), (Fraction(-1, 2), 0)])
    assert (benefit, safety, kind) == (0.25, 0.25, "A")
    assert scoring.mean_type([]) is None


# ---- properties --------------------------------------------------------------------------

kinds = st.sampled_from(scoring.KINDS)


@st.composite
def questions(draw, qid):
    n = draw(st.integers(min_value=1, max_value=6))
    choices = tuple(
        ChoiceSpec(id=qid * 100 + i, weight=draw(st.integers(-5, 5)), kind=draw(kinds))
        for i in range(n)
    )
    combinable = sum(1 for c in choices if c.kind not in scoring.ALONE_KINDS)
    if combinable == 0 and all(c.kind == scoring.UNKNOWN for c in choices):
        choices = (*choices, ChoiceSpec(id=qid * 100 + 99, weight=draw(st.integers(-5, 5))))
        combinable = 1
    low = draw(st.integers(min_value=1, max_value=max(combinable, 1)))
    high = draw(st.integers(min_value=low, max_value=max(low, combinable, 1)))
    return QuestionSpec(
        id=qid,
        axis=draw(st.sampled_from(scoring.AXES)),
        min_select=low,
        max_select=high,
        choices=choices,
    )


@st.composite
def framework_and_answers(draw):
    qs = [draw(questions(i)) for i in range(1, draw(st.integers(1, 8)) + 1)]
    answers = {}
    for q in qs:
        options = _valid_selections(q)
        if options and draw(st.booleans()):
            answers[q.id] = draw(st.sampled_from(options))
    return qs, answers


def _valid_selections(q: QuestionSpec) -> list[list[int]]:
    from itertools import combinations

    alone = [[c.id] for c in q.choices if c.kind in scoring.ALONE_KINDS]
    combinable = [c.id for c in q.choices if c.kind not in scoring.ALONE_KINDS]
    combos = [
        list(combo)
        for k in range(max(q.min_select, 1), min(q.max_select, len(combinable)) + 1)
        for combo in combinations(combinable, k)
    ]
    return alone + combos


def _extreme(q: QuestionSpec, pick) -> list[int]:
    weights = {c.id: (0 if c.kind == scoring.UNKNOWN else c.weight) for c in q.choices}
    known = [s for s in _valid_selections(q) if weights and not _is_unknown(q, s)]
    return pick(known, key=lambda s: sum(weights[i] for i in s)) if known else []


def _is_unknown(q, selection):
    kinds = {c.id: c.kind for c in q.choices}
    return any(kinds[i] == scoring.UNKNOWN for i in selection)


@settings(max_examples=300, deadline=None)
@given(framework_and_answers())
def test_normalised_scores_always_lie_between_minus_one_and_one(data):
    qs, answers = data
    assert scoring.validate_answers(qs, answers) == {}
    result = scoring.score_answers(qs, answers)
    for axis in (result.benefit, result.safety):
        assert axis.minimum <= axis.score <= axis.maximum
        assert -1 <= axis.normalised_exact <= 1
    assert result.type in ("A", "B", "C", "D", "mixed")


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.integers(1, 50), min_size=1, max_size=6, unique=True).flatmap(
        lambda ids: st.tuples(*[questions(i) for i in ids])
    )
)
def test_extremes_are_reachable(qs):
    """Picking the lowest (highest) valid answer everywhere gives exactly -1 (+1), except where
    an "I don't know" alone (weight 0) is the only selection at that extreme: picking it removes
    the question, which is PLUTO's rule, so those frameworks are left out of the claim."""
    lows = {q.id: _extreme(q, min) for q in qs}
    highs = {q.id: _extreme(q, max) for q in qs}
    low = scoring.score_answers(qs, {k: v for k, v in lows.items() if v})
    high = scoring.score_answers(qs, {k: v for k, v in highs.items() if v})
    for axis_name in scoring.AXES:
        on_axis = [q for q in qs if q.axis == axis_name and lows[q.id]]
        low_axis, high_axis = getattr(low, axis_name), getattr(high, axis_name)
        if not on_axis or low_axis.maximum == low_axis.minimum:
            assert low_axis.normalised == 0 and high_axis.normalised == 0
            continue
        weights = {c.id: c.weight for q in on_axis for c in q.choices}
        if all(
            sum(weights[i] for i in lows[q.id]) == scoring.question_bounds(q)[0] for q in on_axis
        ):
            assert low_axis.normalised == -1
        if all(
            sum(weights[i] for i in highs[q.id]) == scoring.question_bounds(q)[1] for q in on_axis
        ):
            assert high_axis.normalised == 1


def test_extremes_are_reached_on_the_pluto_questionnaire():
    """On PLUTO two questions have "I don't know" (0) beyond their known answers: Q11's lowest
    known answer is 1 and Q12's highest is -3. Answering those two "I don't know" takes them out
    of the range, and then both extremes are exactly reached."""
    specs = list(PLUTO.values())
    lows = {q.id: _extreme(q, min) for q in specs}
    highs = {q.id: _extreme(q, max) for q in specs}
    low = scoring.score_answers(specs, lows)
    assert low.safety.normalised == -1
    assert -1 < low.benefit.normalised < -0.9  # Q11 cannot go below 1 without "I don't know"
    lows[PLUTO["Q11"].id] = [121]
    low = scoring.score_answers(specs, lows)
    assert (low.benefit.normalised, low.safety.normalised, low.type) == (-1, -1, "D")
    high = scoring.score_answers(specs, highs)
    assert high.benefit.normalised == 1
    highs[PLUTO["Q12"].id] = [185]
    high = scoring.score_answers(specs, highs)
    assert (high.benefit.normalised, high.safety.normalised, high.type) == (1, 1, "A")
