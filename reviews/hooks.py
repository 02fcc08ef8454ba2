"""What this app plugs into the registries of lower apps and the kernel."""

from .models import Assessment, AssessmentKind


def self_assessment_snapshot(application) -> dict | None:
    """The applicant's self-assessment, frozen with each submitted version."""
    assessment = (
        Assessment.objects.filter(application_id=application.pk, kind=AssessmentKind.SELF)
        .select_related("framework")
        .first()
    )
    if assessment is None:
        return None
    return {
        "self_assessment": {
            "framework": str(assessment.framework),
            "answers": assessment.answers,
            "benefit": {
                "score": assessment.benefit_score,
                "min": assessment.benefit_min,
                "max": assessment.benefit_max,
                "normalised": round(assessment.benefit_normalised, 4),
            },
            "safety": {
                "score": assessment.safety_score,
                "min": assessment.safety_min,
                "max": assessment.safety_max,
                "normalised": round(assessment.safety_normalised, 4),
            },
            "type": assessment.use_type,
        }
    }


def seed_default_framework(**kwargs) -> None:
    """seed_demo: the bundled PLUTO questionnaire becomes the default unless one exists."""
    from .services import framework_ensure_default

    framework_ensure_default(actor=None)


def seed_committee_demo(*, users, **kwargs) -> None:
    """seed_demo: one application in review, with a filed review and one awaiting its reviewer.

    Idempotent: recognised by its title.
    """
    import datetime

    from django.utils import timezone

    from applications.demo import build_demo_application
    from applications.models import Application
    from applications.services import application_submit
    from solidarity.catalog.models import Dataset

    from . import scoring
    from .services import (
        assessment_file,
        assignment_create,
        coi_declare,
        framework_ensure_default,
        framework_loaded,
        risk_item_add,
    )

    researcher, secretariat = users.get("researcher2"), users.get("secretariat")
    reviewer, reviewer2 = users.get("reviewer"), users.get("reviewer2")
    dataset = Dataset.objects.filter(title="Aggregated emergency admissions").first()
    title = "Air quality alerts and childhood asthma"
    if not all([researcher, secretariat, reviewer, reviewer2, dataset]):
        return
    if Application.objects.filter(title=title).exists():
        return
    application = build_demo_application(
        researcher,
        title,
        "Do air-quality alerts keep children with asthma out of hospital?",
        dataset,
        commercial_involvement=True,
        commercial_details="An app developer co-funds the study and may license the model.",
    )
    application = application_submit(actor=researcher, application=application)
    due_on = timezone.localdate() + datetime.timedelta(days=14)
    first = assignment_create(
        actor=secretariat,
        application=application,
        reviewer=reviewer,
        role="scientific",
        due_on=due_on,
    )
    assignment_create(
        actor=secretariat,
        application=application,
        reviewer=reviewer2,
        role="lay",
        due_on=due_on,
    )
    first = coi_declare(actor=reviewer, assignment=first, has_conflict=False)
    framework = framework_loaded(framework_ensure_default(actor=None).pk)
    risk_item_add(
        actor=reviewer,
        assignment=first,
        category="privacy",
        borne_by="group",
        description="Children in small neighbourhoods could be re-identified.",
        likelihood=3,
        severity=4,
        mitigation="Report only counts of 10 or more.",
        residual_likelihood=2,
        residual_severity=3,
    )
    answers = {}
    for question in framework.specs():
        combinable = sorted(
            (c for c in question.choices if c.kind not in scoring.ALONE_KINDS),
            key=lambda c: c.weight,
            reverse=True,
        )
        answers[question.id] = [c.id for c in combinable[: max(question.min_select, 1)]]
    assessment_file(actor=reviewer, assignment=first, answers=answers)


def application_links(user, application) -> list[tuple[str, str]]:
    """Links on an application's page: the applicant's self-assessment, the committee view."""
    from django.urls import reverse
    from django.utils.translation import gettext as _

    from .permissions import can_self_assess, can_view_committee
    from .selectors import assignment_of

    links = []
    if can_self_assess(user, application):
        links.append(
            (
                _("Public-value self-assessment"),
                reverse("reviews:self-assessment", args=[application.pk]),
            )
        )
    if can_view_committee(user, application, assignment_of(user, application)):
        links.append((_("Committee view"), reverse("reviews:committee", args=[application.pk])))
    return links
