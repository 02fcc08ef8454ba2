"""What this app plugs into the registries of lower apps and the kernel."""

from .models import Assessment, AssessmentKind, Assignment, AssignmentState


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
            # Only when given, so versions frozen without them keep their exact content.
            **({"other": assessment.other_specified()} if assessment.other_texts else {}),
        }
    }


def read_self_assessment_part(value) -> tuple[str, str]:
    """A frozen self-assessment as a person reads it: scores, type and the framework."""
    from django.utils.formats import number_format
    from django.utils.translation import gettext as _

    from .models import UseType

    value = value or {}
    labels = dict(UseType.choices)
    use_type = value.get("type") or ""

    def score(axis):
        normalised = (value.get(axis) or {}).get("normalised")
        return "—" if normalised is None else number_format(normalised, 2)

    text = _(
        "Public value %(benefit)s, safety %(safety)s (each from -1 to 1): %(type)s. Framework: "
        "%(framework)s; %(answered)s questions answered."
    ) % {
        "benefit": score("benefit"),
        "safety": score("safety"),
        "type": labels.get(use_type, use_type or _("no type")),
        "framework": value.get("framework") or "—",
        "answered": len(value.get("answers") or {}),
    }
    other = value.get("other") or []
    if other:
        text += " " + _("“Other” answers: %(answers)s.") % {
            "answers": "; ".join(f"{o.get('label')}: {o.get('text')}" for o in other)
        }
    return _("The applicant's self-assessment"), text


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


DECIDED_DEMO_TITLE = "Diabetes care across Vienna's districts"


def seed_decided_demo(*, users, stdout=None, **kwargs) -> None:
    """seed_demo: the applications seeder's project in review is reviewed, typed and approved by
    the committee, its custodian grants access, and the benefits seeder drafts its agreement.

    Idempotent: only an application with that title still in review is taken forward.
    """
    import datetime

    from django.utils import timezone

    from applications.models import Application
    from applications.services import dataset_request_grant

    from . import scoring
    from .services import (
        assessment_file,
        assignment_create,
        coi_declare,
        decision_record,
        framework_ensure_default,
        framework_loaded,
    )

    secretariat, chair = users.get("secretariat"), users.get("chair")
    reviewer, custodian = users.get("reviewer2"), users.get("custodian")
    application = Application.objects.filter(title=DECIDED_DEMO_TITLE, state="in_review").first()
    if not all([application, secretariat, chair, reviewer, custodian]):
        return
    framework = framework_loaded(framework_ensure_default(actor=None).pk)
    assignment = assignment_create(
        actor=secretariat,
        application=application,
        reviewer=reviewer,
        role="scientific",
        due_on=timezone.localdate() + datetime.timedelta(days=14),
    )
    assignment = coi_declare(actor=reviewer, assignment=assignment, has_conflict=False)
    answers = {}
    for question in framework.specs():
        combinable = sorted(
            (c for c in question.choices if c.kind not in scoring.ALONE_KINDS),
            key=lambda c: c.weight,
            reverse=True,
        )
        answers[question.id] = [c.id for c in combinable[: max(question.min_select, 1)]]
    assessment_file(actor=reviewer, assignment=assignment, answers=answers)
    decision_record(
        actor=chair,
        application=application,
        outcome="approved",
        reason="Clear public value; federated analysis keeps the records at the hospital.",
        access_expires_on=timezone.localdate() + datetime.timedelta(days=365),
    )
    for request in application.dataset_requests.filter(state="pending"):
        dataset_request_grant(
            actor=custodian, dataset_request=request, conditions="Federated analysis only."
        )
    from benefits.demo import seed_benefits

    seed_benefits(users=users, stdout=stdout)


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


def reviewer_standing(user, application) -> str | None:
    """For the application's conversation (blind filing): ``"filed"`` once this reviewer has
    filed their own assessment, ``"pending"`` while reviewing and not filed yet, None otherwise (not
    assigned, conflict not yet declared, or recused)."""
    if not getattr(user, "is_authenticated", False):
        return None
    states = set(
        Assignment.objects.filter(application_id=application.pk, reviewer_id=user.pk).values_list(
            "state", flat=True
        )
    )
    if AssignmentState.FILED in states:
        return "filed"
    # Before declaring no conflict a reviewer sees nothing of the application.
    if AssignmentState.ACTIVE in states:
        return "pending"
    return None
