"""Answering the framework: the applicant's self-assessment and each reviewer's filing."""

from __future__ import annotations

from collections.abc import Mapping

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from solidarity import audit
from solidarity.errors import DomainError, PermissionDenied, TransitionNotAllowed
from solidarity.transitions import transition_run

from .. import scoring
from ..models import (
    SCORE_COLUMNS,
    Assessment,
    AssessmentFramework,
    AssessmentKind,
    Assignment,
    AssignmentState,
    RiskBearer,
    RiskCategory,
    RiskItem,
)
from ..permissions import SELF_ASSESSMENT_STATES
from ..rules import ASSIGNMENT


def framework_loaded(framework_id: int | None = None) -> AssessmentFramework:
    """A framework (the default one when no id is given) with all its questions, in 3 queries."""
    qs = AssessmentFramework.objects.prefetch_related("groups__questions__choices")
    framework = (
        qs.filter(pk=framework_id).first() if framework_id else qs.filter(is_default=True).first()
    )
    if framework is None:
        raise DomainError(_("No assessment framework is set up yet; ask the secretariat."))
    return framework


def parse_answers(raw) -> dict[int, list[int]]:
    """Answers as {question id: [choice ids]}; keys and ids may arrive as strings (JSON, forms)."""
    if raw is None:
        return {}
    if not isinstance(raw, Mapping):
        raise DomainError(
            _("Answers must map each question id to a list of choice ids."),
            field_errors={"answers": [_("Expected an object of question id → choice ids.")]},
        )
    answers: dict[int, list[int]] = {}
    for key, value in raw.items():
        try:
            qid = int(key)
            values = value if isinstance(value, list | tuple) else [value]
            answers[qid] = [int(v) for v in values if v not in ("", None)]
        except (TypeError, ValueError):
            raise DomainError(
                _("Answers must map each question id to a list of choice ids."),
                field_errors={f"answers.{key}": [_("Use whole-number ids.")]},
            ) from None
    return answers


def evaluate(
    framework: AssessmentFramework, answers: dict[int, list[int]], *, require_all: bool = False
) -> scoring.Result:
    """Validate the answers against the framework and score them.

    Raises DomainError with one message per invalid question (keyed ``answers.<question id>``).
    """
    specs = framework.specs()
    errors = scoring.validate_answers(specs, answers, require_all=require_all)
    if errors:
        labels = {q.id: q.label for q in specs}
        raise DomainError(
            _("Some answers are not valid."),
            field_errors={
                f"answers.{qid}": [f"{labels.get(qid, qid)}: {message}"]
                for qid, message in sorted(errors.items())
            },
        )
    return scoring.score_answers(specs, answers)


OTHER_KINDS = (scoring.OTHER_INCLUSIVE, scoring.OTHER_EXCLUSIVE)
OTHER_TEXT_MAX = 2000


def other_texts_clean(
    framework: AssessmentFramework,
    answers: dict[int, list[int]],
    given: Mapping | None,
    previous: Mapping | None = None,
    *,
    required: bool,
) -> dict[str, str]:
    """What the author wrote for each “Other (please specify)” choice they picked.

    The applicant must say what their “Other” means (``required``): the committee reads the
    self-assessment as the applicant's own account. Reviewers may add the text as a note.
    Texts for questions where no such choice is picked are dropped. ``given`` None keeps the
    ``previous`` texts (a filing that sends no answers). Raises DomainError keyed
    ``other.<question id>``.
    """
    source = given if given is not None else (previous or {})
    texts = {str(k): str(v or "").strip()[:OTHER_TEXT_MAX] for k, v in source.items()}
    kept, errors = {}, {}
    for question in framework.specs():
        picked = set(answers.get(question.id, []))
        other = [c for c in question.choices if c.id in picked and c.kind in OTHER_KINDS]
        if not other:
            continue
        text = texts.get(str(question.id), "")
        if text:
            kept[str(question.id)] = text
        elif required:
            errors[f"other.{question.id}"] = [
                _("%(label)s: say what “%(choice)s” means here.")
                % {"label": question.label, "choice": other[0].label}
            ]
    if errors:
        raise DomainError(_("Some answers are not valid."), field_errors=errors)
    return kept


def _store(assessment: Assessment, answers: dict[int, list[int]], result: scoring.Result) -> None:
    assessment.answers = {str(k): v for k, v in answers.items() if v}
    assessment.benefit_score = result.benefit.score
    assessment.benefit_min = result.benefit.minimum
    assessment.benefit_max = result.benefit.maximum
    assessment.safety_score = result.safety.score
    assessment.safety_min = result.safety.minimum
    assessment.safety_max = result.safety.maximum
    assessment.use_type = result.type


SCORE_FIELDS = [
    "answers",
    *SCORE_COLUMNS,
    "use_type",
    "other_texts",
    "updated_at",
]


def self_assessment_save(
    *, actor, application, answers, comments: str = "", other: Mapping | None = None
) -> Assessment:
    """Store the applicant's self-assessment of their own application.

    Preconditions: the actor is the applicant; the application is a draft or awaits revision;
    the answers are valid (questions may be left unanswered while filing); every picked
    “Other (please specify)” choice comes with its text in ``other`` (question id → text).
    Side effects: audit ``assessment.file`` (kind self) with the scores; the assessment is frozen
    into the next submitted version through the applications snapshot registry.
    """
    from applications.models import Application

    parsed = parse_answers(answers)
    with transaction.atomic():
        application = Application.objects.select_for_update().get(pk=application.pk)
        if application.applicant_id != getattr(actor, "pk", None):
            raise PermissionDenied(_("Only the applicant answers the self-assessment."))
        if application.state not in SELF_ASSESSMENT_STATES:
            raise TransitionNotAllowed(
                "The self-assessment can change only while the application is a draft or "
                "a revision is requested."
            )
        if not any(parsed.values()):
            # An empty form would score "mixed, 0.00" and read as a finished self-assessment.
            message = _("Answer at least one question before saving the self-assessment.")
            raise DomainError(message, field_errors={"__all__": [message]})
        assessment = Assessment.objects.filter(
            application=application, kind=AssessmentKind.SELF
        ).first()
        framework = framework_loaded(assessment.framework_id if assessment else None)
        result = evaluate(framework, parsed)
        other_texts = other_texts_clean(
            framework, parsed, other, assessment.other_texts if assessment else None, required=True
        )
        if assessment is None:
            assessment = Assessment(
                kind=AssessmentKind.SELF,
                application=application,
                author=actor,
                framework=framework,
            )
        _store(assessment, parsed, result)
        assessment.other_texts = other_texts
        assessment.comments = comments
        assessment.filed_at = timezone.now()
        assessment.save()
        audit.record(
            actor=actor,
            action="assessment.file",
            target=assessment,
            payload={"kind": "self", "application": application.pk, **result.as_dict()},
        )
    return assessment


def _lock_assignment(assignment) -> Assignment:
    return (
        Assignment.objects.select_for_update().select_related("application").get(pk=assignment.pk)
    )


def _reviewer_assessment(assignment: Assignment, actor) -> Assessment:
    existing = Assessment.objects.filter(assignment=assignment).first()
    if existing:
        return existing
    own = Assessment.objects.filter(
        application_id=assignment.application_id, kind=AssessmentKind.SELF
    ).first()
    framework = framework_loaded(own.framework_id if own else None)
    return Assessment.objects.create(
        kind=AssessmentKind.REVIEWER,
        application_id=assignment.application_id,
        assignment=assignment,
        author=actor,
        framework=framework,
    )


def _check_filing(actor, assignment: Assignment) -> None:
    if assignment.reviewer_id != getattr(actor, "pk", None):
        raise PermissionDenied(_("Only the assigned reviewer files this assessment."))
    if assignment.state == AssignmentState.AWAITING_COI:
        raise TransitionNotAllowed(_("Declare your conflicts of interest first."))
    if assignment.state == AssignmentState.RECUSED:
        raise PermissionDenied(_("You are recused from this application."))
    if assignment.state == AssignmentState.FILED:
        raise TransitionNotAllowed(_("This assessment is filed already and can no longer change."))
    # The role, the state and the application's review window: the rulebook's "file".
    ASSIGNMENT.check("file", actor=actor, obj=assignment)


def assessment_save_draft(
    *, actor, assignment, answers, comments: str = "", other: Mapping | None = None
) -> Assessment:
    """Save a reviewer's answers without filing them (nobody else sees a draft).

    Preconditions: the actor is the assigned reviewer, has declared no conflict, has not filed.
    """
    parsed = parse_answers(answers)
    with transaction.atomic():
        assignment = _lock_assignment(assignment)
        _check_filing(actor, assignment)
        assessment = _reviewer_assessment(assignment, actor)
        framework = framework_loaded(assessment.framework_id)
        result = evaluate(framework, parsed)
        other_texts = other_texts_clean(
            framework, parsed, other, assessment.other_texts, required=False
        )
        _store(assessment, parsed, result)
        assessment.other_texts = other_texts
        assessment.comments = comments
        assessment.save(update_fields=[*SCORE_FIELDS, "comments"])
    return assessment


def assessment_file(
    *, actor, assignment, answers=None, comments: str | None = None, other: Mapping | None = None
) -> Assessment:
    """File a reviewer's assessment and risk register; every question must be answered.

    Preconditions: as for a draft. Side effects: the assignment becomes ``filed`` (the reviewer
    may now see the others' filings); audit ``assessment.file`` with the scores and risk count.
    """
    with transaction.atomic():
        assignment = _lock_assignment(assignment)
        _check_filing(actor, assignment)
        assessment = _reviewer_assessment(assignment, actor)
        parsed = parse_answers(answers) if answers is not None else assessment.answers_by_question()
        framework = framework_loaded(assessment.framework_id)
        result = evaluate(framework, parsed, require_all=True)
        other_texts = other_texts_clean(
            framework, parsed, other, assessment.other_texts, required=False
        )
        _store(assessment, parsed, result)
        assessment.other_texts = other_texts
        if comments is not None:
            assessment.comments = comments
        now = timezone.now()
        assessment.filed_at = now
        assessment.save(update_fields=[*SCORE_FIELDS, "comments", "filed_at"])
        transition_run(
            ASSIGNMENT,
            "file",
            actor=actor,
            obj=assignment,
            lock=False,
            changes={"filed_at": now},
            audit_target=assessment,
            payload={
                "kind": "reviewer",
                "application": assignment.application_id,
                "risks": assessment.risks.count(),
                **result.as_dict(),
            },
        )
        _tell_secretariat_when_all_filed(assignment.application)
    return assessment


def _tell_secretariat_when_all_filed(application) -> None:
    """Hand-over: once every reviewer who is not recused has filed, the secretariat puts the
    application forward for decision."""
    from django.contrib.auth import get_user_model

    from solidarity.accounts.roles import Role
    from solidarity.notifications.services import notify

    states = set(
        Assignment.objects.filter(application_id=application.pk)
        .exclude(state=AssignmentState.RECUSED)
        .values_list("state", flat=True)
    )
    if len(states) != 1 or AssignmentState.FILED not in states:
        return
    notify(
        recipients=get_user_model()
        .objects.filter(groups__name=Role.SECRETARIAT, is_active=True)
        .distinct(),
        kind="review",
        context=lambda: {
            "subject": _("Reviews complete: %(ref)s") % {"ref": application.reference},
            "body": _(
                "Every reviewer of %(title)s has filed. Put it forward for the committee's "
                "decision."
            )
            % {"title": application.title},
        },
        url=f"/applications/{application.pk}/",
    )


RISK_FIELDS = (
    "category",
    "borne_by",
    "description",
    "likelihood",
    "severity",
    "mitigation",
    "residual_likelihood",
    "residual_severity",
)


def _validate_risk(fields: dict) -> None:
    errors: dict[str, list[str]] = {}
    if fields.get("category") not in RiskCategory.values:
        errors["category"] = [_("Choose a category.")]
    if fields.get("borne_by") not in RiskBearer.values:
        errors["borne_by"] = [_("Say who bears the risk.")]
    if not str(fields.get("description") or "").strip():
        errors["description"] = [_("Describe the risk.")]
    for name in ("likelihood", "severity", "residual_likelihood", "residual_severity"):
        value = fields.get(name)
        if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= 5:
            errors[name] = [_("Use a whole number from 1 to 5.")]
    if errors:
        raise DomainError(_("The risk is not complete."), field_errors=errors)


def risk_item_add(*, actor, assignment, **fields) -> RiskItem:
    """Add a risk to the reviewer's own, unfiled register.

    Preconditions: as for a draft; likelihood and severity 1-5 before and after mitigation.
    """
    fields = {k: v for k, v in fields.items() if k in RISK_FIELDS}
    _validate_risk(fields)
    with transaction.atomic():
        assignment = _lock_assignment(assignment)
        _check_filing(actor, assignment)
        assessment = _reviewer_assessment(assignment, actor)
        risk = RiskItem.objects.create(assessment=assessment, **fields)
        audit.record(
            actor=actor,
            action="risk.add",
            target=assignment,
            payload={
                "risk": risk.pk,
                "category": risk.category,
                "residual_score": risk.residual_score,
            },
        )
    return risk


def risk_item_remove(*, actor, risk: RiskItem) -> None:
    """Remove a risk from the reviewer's own register before filing."""
    with transaction.atomic():
        assignment = _lock_assignment(risk.assessment.assignment)
        _check_filing(actor, assignment)
        RiskItem.objects.filter(pk=risk.pk).delete()
        audit.record(
            actor=actor,
            action="risk.remove",
            target=assignment,
            payload={"risk": risk.pk, "category": risk.category},
        )
