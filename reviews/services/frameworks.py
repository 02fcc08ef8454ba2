"""Importing, versioning and choosing the public-value framework."""

from __future__ import annotations

import json
from pathlib import Path

from django.db import transaction
from django.utils.translation import gettext_noop

from solidarity import audit
from solidarity.accounts.roles import Role, has_role
from solidarity.errors import DomainError, PermissionDenied

from ..models import AssessmentFramework, Choice, ChoiceKind, Question, QuestionGroup

BUNDLED_DIR = Path(__file__).resolve().parent.parent / "frameworks"
BUNDLED_PLUTO = BUNDLED_DIR / "pluto-survey-v1.0.0.json"
PLUTO_NAME = "PLUTO public-value questionnaire"
PLUTO_CREDIT = (
    "Questionnaire from PLUTO, the data-solidarity tool of the University of Vienna "
    "(Faculty of Computer Science, Research Group Visualization and Data Analysis), "
    "used under the MIT licence."
)

# Hints the project rewrote (PLUTO question id -> hint), used where PLUTO's own hint only
# repeats one of the question's answers word for word (Q1's did). Translated like any text.
PLUTO_HINTS = {
    "44": gettext_noop(
        "Choose whose data use this assessment is about. In an application to Solidarity "
        "this is usually your own project."
    ),
}

PLUTO_AXES = {"y": "benefit", "x": "safety"}
PLUTO_KINDS = {
    "regular": ChoiceKind.REGULAR,
    "otherInclusive": ChoiceKind.OTHER_INCLUSIVE,
    "otherExclusive": ChoiceKind.OTHER_EXCLUSIVE,
    "none": ChoiceKind.UNKNOWN,
}
FORMATS = ("pluto",)


class FrameworkImportError(DomainError):
    """The file is not a framework we can import; the message names what is wrong."""


def _require(condition: bool, path: str, message: str) -> None:
    if not condition:
        raise FrameworkImportError(f"{path}: {message}")


def _is_int(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _text(value) -> str:
    return value.strip() if isinstance(value, str) else ""


def parse_pluto(data) -> dict:
    """Check a PLUTO survey export and return it in our own shape; nothing touches the database.

    Raises FrameworkImportError naming the first wrong element by its JSON path.
    """
    _require(isinstance(data, dict), "$", "the file must hold a JSON object")
    entries = data.get("data")
    _require(isinstance(entries, list) and entries, "$.data", "must be a non-empty list")
    entry = entries[0]
    _require(isinstance(entry, dict), "$.data[0]", "must be an object")
    attributes = entry.get("attributes")
    _require(isinstance(attributes, dict), "$.data[0].attributes", "is missing")
    version = _text(attributes.get("version"))
    _require(bool(version), "$.data[0].attributes.version", "is missing or empty")
    groups = attributes.get("groups")
    _require(
        isinstance(groups, list) and groups,
        "$.data[0].attributes.groups",
        "must be a non-empty list",
    )
    parsed_groups = []
    seen_questions: set = set()
    for gi, group in enumerate(groups):
        gpath = f"$.data[0].attributes.groups[{gi}]"
        _require(isinstance(group, dict), gpath, "must be an object")
        title = _text(group.get("title"))
        _require(bool(title), f"{gpath}.title", "is missing or empty")
        questions = (
            (group.get("questions") or {}).get("data")
            if isinstance(group.get("questions"), dict)
            else None
        )
        _require(
            isinstance(questions, list) and questions,
            f"{gpath}.questions.data",
            "must be a non-empty list",
        )
        parsed_questions = []
        for qi, question in enumerate(questions):
            qpath = f"{gpath}.questions.data[{qi}]"
            _require(isinstance(question, dict), qpath, "must be an object")
            qa = question.get("attributes")
            _require(isinstance(qa, dict), f"{qpath}.attributes", "is missing")
            apath = f"{qpath}.attributes"
            label = _text(qa.get("label"))
            body = _text(qa.get("body"))
            _require(bool(label), f"{apath}.label", "is missing or empty")
            _require(label not in seen_questions, f"{apath}.label", f"{label} appears twice")
            seen_questions.add(label)
            _require(bool(body), f"{apath}.body", "is missing or empty")
            meta = qa.get("metadata")
            _require(isinstance(meta, dict), f"{apath}.metadata", "is missing")
            impact = meta.get("impact")
            _require(
                impact in PLUTO_AXES,
                f"{apath}.metadata.impact",
                f"must be 'x' or 'y', not {impact!r}",
            )
            selection = meta.get("selection")
            _require(isinstance(selection, dict), f"{apath}.metadata.selection", "is missing")
            start, end = selection.get("start"), selection.get("end")
            _require(
                _is_int(start) and start >= 0,
                f"{apath}.metadata.selection.start",
                "must be a whole number ≥ 0",
            )
            _require(
                _is_int(end) and end >= max(start, 1),
                f"{apath}.metadata.selection.end",
                "must be a whole number ≥ 1 and ≥ start",
            )
            choices = qa.get("choices")
            _require(
                isinstance(choices, list) and choices,
                f"{apath}.choices",
                "must be a non-empty list",
            )
            parsed_choices = []
            for ci, choice in enumerate(choices):
                cpath = f"{apath}.choices[{ci}]"
                _require(isinstance(choice, dict), cpath, "must be an object")
                _require(_is_int(choice.get("score")), f"{cpath}.score", "must be a whole number")
                kind = choice.get("type")
                _require(
                    kind in PLUTO_KINDS,
                    f"{cpath}.type",
                    f"must be one of {', '.join(PLUTO_KINDS)}, not {kind!r}",
                )
                ctext = _text(choice.get("body"))
                _require(bool(ctext), f"{cpath}.body", "is missing or empty")
                parsed_choices.append(
                    {
                        "text": ctext,
                        "weight": choice["score"],
                        "kind": str(PLUTO_KINDS[kind]),
                        "feedback": _text(choice.get("feedback")),
                        "external_id": str(choice.get("id") or ""),
                    }
                )
            combinable = sum(
                1 for c in parsed_choices if c["kind"] in ("regular", "other_inclusive")
            )
            alone = len(parsed_choices) - combinable
            _require(
                alone > 0 or combinable >= max(start, 1),
                f"{apath}.metadata.selection",
                f"asks for at least {start} choices but only {combinable} can be combined",
            )
            explanation = _text(qa.get("explanation"))
            if explanation.strip() in {c["text"].strip() for c in parsed_choices}:
                explanation = PLUTO_HINTS.get(str(question.get("id") or ""), "")
            parsed_questions.append(
                {
                    "label": label,
                    "text": body,
                    "explanation": explanation,
                    "axis": PLUTO_AXES[impact],
                    "min_select": start,
                    "max_select": end,
                    "feedback": _text(meta.get("feedback")),
                    "external_id": str(question.get("id") or ""),
                    "choices": parsed_choices,
                }
            )
        parsed_groups.append({"title": title, "questions": parsed_questions})
    return {"name": PLUTO_NAME, "version": version, "groups": parsed_groups}


def _can_manage_frameworks(actor) -> bool:
    # None is the system (management commands, seeding); people need staff status or the chair.
    return actor is None or bool(
        getattr(actor, "is_staff", False) or has_role(actor, Role.CHAIR, Role.SECRETARIAT)
    )


def _create(*, parsed: dict, source: str, credit: str, licence: str) -> AssessmentFramework:
    framework = AssessmentFramework.objects.create(
        name=parsed["name"],
        version=parsed["version"],
        source=source,
        credit=credit,
        licence=licence,
    )
    choices = []
    for gpos, group in enumerate(parsed["groups"], start=1):
        group_row = QuestionGroup.objects.create(
            framework=framework, position=gpos, title=group["title"]
        )
        for qpos, q in enumerate(group["questions"], start=1):
            question = Question.objects.create(
                group=group_row,
                position=qpos,
                label=q["label"],
                text=q["text"],
                explanation=q.get("explanation", ""),
                axis=q["axis"],
                min_select=q["min_select"],
                max_select=q["max_select"],
                feedback=q.get("feedback", ""),
                external_id=q.get("external_id", ""),
            )
            for cpos, c in enumerate(q["choices"], start=1):
                choices.append(
                    Choice(
                        question=question,
                        position=cpos,
                        text=c["text"],
                        weight=c["weight"],
                        kind=c["kind"],
                        feedback=c.get("feedback", ""),
                        external_id=c.get("external_id", ""),
                    )
                )
    Choice.objects.bulk_create(choices)
    return framework


def framework_import(
    *, actor, data, fmt: str = "pluto", make_default: bool = False
) -> AssessmentFramework:
    """Import a questionnaire file's parsed JSON as a new framework, all or nothing.

    Preconditions: the actor may manage frameworks; no framework has the same name and version.
    Side effects: audit ``framework.import``; with ``make_default`` the framework becomes the
    default one.
    """
    if not _can_manage_frameworks(actor):
        raise PermissionDenied("Only staff may import frameworks.")
    if fmt not in FORMATS:
        raise FrameworkImportError(f"Unknown format {fmt!r}; known: {', '.join(FORMATS)}.")
    parsed = parse_pluto(data)
    licence = (BUNDLED_DIR / "PLUTO-LICENSE.txt").read_text(encoding="utf-8")
    with transaction.atomic():
        if AssessmentFramework.objects.filter(
            name=parsed["name"], version=parsed["version"]
        ).exists():
            raise FrameworkImportError(
                f"{parsed['name']} {parsed['version']} is already imported; "
                "a framework is never replaced: import a new version."
            )
        framework = _create(parsed=parsed, source=fmt, credit=PLUTO_CREDIT, licence=licence)
        audit.record(
            actor=actor,
            action="framework.import",
            target=framework,
            payload={"format": fmt, "version": framework.version},
        )
        if make_default:
            framework_set_default(actor=actor, framework=framework)
    return framework


def framework_set_default(*, actor, framework: AssessmentFramework) -> AssessmentFramework:
    """Make this framework the one new assessments use. Side effect: audit ``framework.default``."""
    if not _can_manage_frameworks(actor):
        raise PermissionDenied("Only staff may choose the default framework.")
    with transaction.atomic():
        framework = AssessmentFramework.objects.select_for_update().get(pk=framework.pk)
        if framework.is_default:
            return framework
        AssessmentFramework.objects.filter(is_default=True).update(is_default=False)
        framework.is_default = True
        framework.save(update_fields=["is_default"])
        audit.record(actor=actor, action="framework.default", target=framework)
    return framework


def framework_new_version(
    *, actor, framework: AssessmentFramework, version: str
) -> AssessmentFramework:
    """Copy a framework under a new version so that staff may change the copy, not the original.

    Side effect: audit ``framework.new_version``.
    """
    if not _can_manage_frameworks(actor):
        raise PermissionDenied("Only staff may make framework versions.")
    version = version.strip()
    if not version:
        raise DomainError("Name the new version.", field_errors={"version": ["Required."]})
    parsed = {
        "name": framework.name,
        "version": version,
        "groups": [
            {
                "title": g.title,
                "questions": [
                    {
                        "label": q.label,
                        "text": q.text,
                        "explanation": q.explanation,
                        "axis": q.axis,
                        "min_select": q.min_select,
                        "max_select": q.max_select,
                        "feedback": q.feedback,
                        "external_id": q.external_id,
                        "choices": [
                            {
                                "text": c.text,
                                "weight": c.weight,
                                "kind": c.kind,
                                "feedback": c.feedback,
                                "external_id": c.external_id,
                            }
                            for c in q.choices.all()
                        ],
                    }
                    for q in g.questions.all()
                ],
            }
            for g in framework.groups.prefetch_related("questions__choices")
        ],
    }
    with transaction.atomic():
        if AssessmentFramework.objects.filter(name=framework.name, version=version).exists():
            raise DomainError(
                "That version exists already.", field_errors={"version": ["Already used."]}
            )
        copy = _create(
            parsed=parsed,
            source=framework.source,
            credit=framework.credit,
            licence=framework.licence,
        )
        audit.record(
            actor=actor,
            action="framework.new_version",
            target=copy,
            payload={"from": framework.pk, "version": version},
        )
    return copy


def framework_ensure_default(*, actor=None) -> AssessmentFramework:
    """Import the bundled PLUTO questionnaire as the default unless one exists (idempotent)."""
    existing = AssessmentFramework.objects.filter(is_default=True).first()
    if existing:
        return existing
    with transaction.atomic():
        found = AssessmentFramework.objects.filter(name=PLUTO_NAME).order_by("-id").first()
        if found is None:
            data = json.loads(BUNDLED_PLUTO.read_text(encoding="utf-8"))
            return framework_import(actor=actor, data=data, make_default=True)
        return framework_set_default(actor=actor, framework=found)
