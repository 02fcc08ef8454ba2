"""Applications at the committee's stages, and framework answers of a chosen shape."""

import datetime

from django.utils import timezone

from applications import services as application_services
from reviews import scoring, services
from reviews.models import AssessmentFramework
from tests.applications import factories as application_factories

CONTENT = {
    "title": "Heat waves and diabetes",
    "lay_summary": "Whether heat waves make diabetes worse.",
    "scientific_summary": "A retrospective cohort study.",
    "aims": "Estimate the effect of heat on HbA1c.",
    "methods": "Federated regression.",
    "public_benefit": "Better heat-wave warnings.",
    "beneficiaries": ["data_subjects"],
    "funding": "National research fund.",
    "research_use": "DUO:0000006",
    "start_date": datetime.date(2027, 1, 1),
    "end_date": datetime.date(2028, 12, 31),
}


def draft(applicant, *, datasets=None, **fields):
    """A complete draft (the applications tests' builder) with this folder's content."""
    return application_factories.complete_draft(
        applicant, datasets=datasets, **{**CONTENT, **fields}
    )


def submitted(applicant, **kwargs):
    application = draft(applicant, **kwargs)
    return application_services.application_submit(actor=applicant, application=application)


def in_review(applicant, secretariat, **kwargs):
    application = submitted(applicant, **kwargs)
    return application_services.application_accept(actor=secretariat, application=application)


def due(days=14) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=days)


def answers(framework: AssessmentFramework, *, benefit="high", safety="high") -> dict:
    """Valid answers to every question, each at the highest or lowest known sum of its axis."""
    wanted = {"benefit": benefit, "safety": safety}
    result = {}
    for question in framework.specs():
        known = [c for c in question.choices if c.kind != scoring.UNKNOWN]
        alone = [[c] for c in known if c.kind == scoring.OTHER_EXCLUSIVE]
        combinable = sorted(
            (c for c in known if c.kind not in scoring.ALONE_KINDS), key=lambda c: c.weight
        )
        options = list(alone)
        for k in range(max(question.min_select, 1), min(question.max_select, len(combinable)) + 1):
            options.append(combinable[:k])
            options.append(combinable[-k:])
        pick = max if wanted[question.axis] == "high" else min
        best = pick(options, key=lambda cs: sum(c.weight for c in cs))
        result[question.id] = [c.id for c in best]
    return result


def other_texts(framework: AssessmentFramework, picked: dict) -> dict:
    """A “please specify” text for every picked “Other” choice of ``picked``."""
    other_kinds = (scoring.OTHER_INCLUSIVE, scoring.OTHER_EXCLUSIVE)
    return {
        question.id: f"What {question.label}'s other answer means"
        for question in framework.specs()
        if any(
            c.id in picked.get(question.id, []) and c.kind in other_kinds for c in question.choices
        )
    }


def assign(application, secretariat, reviewer, *, role="scientific", declare=True):
    assignment = services.assignment_create(
        actor=secretariat, application=application, reviewer=reviewer, role=role, due_on=due()
    )
    if declare:
        assignment = services.coi_declare(actor=reviewer, assignment=assignment, has_conflict=False)
    return assignment


RISK = {
    "category": "privacy",
    "borne_by": "individual",
    "description": "Re-identification of patients in small towns",
    "likelihood": 4,
    "severity": 5,
    "mitigation": "Aggregate to district level",
    "residual_likelihood": 3,
    "residual_severity": 4,
}


def file_review(assignment, framework, *, benefit="high", safety="high", risks=()):
    for risk in risks:
        services.risk_item_add(actor=assignment.reviewer, assignment=assignment, **{**RISK, **risk})
    return services.assessment_file(
        actor=assignment.reviewer,
        assignment=assignment,
        answers=answers(framework, benefit=benefit, safety=safety),
    )
