from django.utils.translation import gettext as _

from solidarity.accounts.home import Panel
from solidarity.accounts.roles import Role

from .selectors import assignments_for_reviewer


def reviewer_panel(user):
    if not user.has_role(Role.REVIEWER, Role.CHAIR):
        return None
    assignments = list(assignments_for_reviewer(user)[:10])
    return Panel(
        title=_("Your review assignments"),
        template="reviews/panel_reviewer.html",
        context={"assignments": assignments},
        order=20,
    )


def committee_panel(user):
    if not user.has_role(Role.SECRETARIAT, Role.CHAIR):
        return None
    return Panel(
        title=_("The committee"),
        template="reviews/panel_committee.html",
        context={},
        order=25,
    )


def self_assessment_panel(user):
    """Applicants' drafts, each with its public-value self-assessment and provisional type."""
    if not user.has_role(Role.RESEARCHER):
        return None
    from applications.models import Application

    from .models import Assessment, AssessmentKind

    drafts = list(
        Application.objects.filter(
            applicant=user, state__in=("draft", "revision_requested")
        ).order_by("-updated_at")[:10]
    )
    types = dict(
        Assessment.objects.filter(application__in=drafts, kind=AssessmentKind.SELF).values_list(
            "application_id", "use_type"
        )
    )
    if not drafts:
        return None
    return Panel(
        title=_("Public-value self-assessment"),
        template="reviews/panel_self_assessment.html",
        context={"rows": [(a, types.get(a.pk)) for a in drafts]},
        order=15,
    )
