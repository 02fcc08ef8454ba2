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
