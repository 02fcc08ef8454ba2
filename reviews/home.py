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
    from applications.rules import EDITABLE

    from .models import Assessment, AssessmentKind

    drafts = list(
        Application.objects.filter(applicant=user, state__in=EDITABLE).order_by("-updated_at")[:10]
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


def _decision_due(application):
    """The committee's service level: DECISION_DAYS after submission (settings)."""
    import datetime

    from django.conf import settings
    from django.utils import timezone

    if application.submitted_at is None:
        return None
    start = timezone.localtime(application.submitted_at).date()
    return start + datetime.timedelta(days=settings.DECISION_DAYS)


def _about(application) -> str:
    return f"{application.reference} · {application.title}"


def work(user) -> list:
    """What waits for this user in the reviews app, for the home's "Waiting for you"."""
    from django.db.models import Count, Q

    from applications.models import Application
    from solidarity.accounts.home import WorkItem

    from .models import AssignmentState, Condition, ConditionState, Vote
    from .rules import ASSIGNMENT, OPEN_ASSIGNMENT

    items = []
    if user.has_role(Role.REVIEWER, Role.CHAIR):
        for a in assignments_for_reviewer(user)[:15]:
            coi = ASSIGNMENT.in_source_state("declare-none", a)
            items.append(
                WorkItem(
                    action=_("Declare any conflict of interest") if coi else _("File your review"),
                    subject=_about(a.application),
                    url=f"/reviews/assignments/{a.pk}/",
                    since=a.created_at,
                    due=a.due_on,
                )
            )
        voted = Vote.objects.filter(voter=user).values("application_id")
        to_vote = Application.objects.filter(state="awaiting_decision").exclude(pk__in=voted)
        if not user.has_role(Role.CHAIR):
            to_vote = to_vote.filter(
                review_assignments__reviewer=user, review_assignments__state=AssignmentState.FILED
            )
        for app in to_vote.order_by("updated_at", "id")[:15]:
            items.append(
                WorkItem(
                    action=_("Vote"),
                    subject=_about(app),
                    url=f"/reviews/applications/{app.pk}/committee/",
                    since=app.updated_at,
                )
            )
    if user.has_role(Role.CHAIR):
        for app in Application.objects.filter(state="awaiting_decision").order_by(
            "updated_at", "id"
        )[:15]:
            items.append(
                WorkItem(
                    action=_("Record the committee's decision"),
                    subject=_about(app),
                    url=f"/reviews/applications/{app.pk}/committee/",
                    since=app.updated_at,
                    due=_decision_due(app),
                )
            )
    if user.has_role(Role.SECRETARIAT):
        ready = (
            Application.objects.filter(state="in_review")
            .annotate(
                open_reviews=Count(
                    "review_assignments",
                    filter=Q(review_assignments__state__in=OPEN_ASSIGNMENT),
                ),
                filed=Count(
                    "review_assignments",
                    filter=Q(review_assignments__state=AssignmentState.FILED),
                ),
            )
            .filter(open_reviews=0, filed__gt=0)
            .order_by("updated_at", "id")[:15]
        )
        for app in ready:
            items.append(
                WorkItem(
                    action=_("Put forward for decision"),
                    subject=_about(app),
                    url=f"/applications/{app.pk}/",
                    since=app.updated_at,
                )
            )
    if user.has_role(Role.SECRETARIAT, Role.CHAIR):
        reported = (
            Condition.objects.filter(state=ConditionState.OPEN, reported_at__isnull=False)
            .select_related("application")
            .order_by("due_on", "id")[:15]
        )
        for c in reported:
            items.append(
                WorkItem(
                    action=_("Check the report on a condition"),
                    subject=_about(c.application),
                    url=f"/reviews/conditions/{c.pk}/",
                    since=c.reported_at,
                    due=c.due_on,
                )
            )
    owned = (
        Condition.objects.filter(state=ConditionState.OPEN, reported_at__isnull=True)
        .filter(Q(owner=user) | Q(owner__isnull=True, application__applicant=user))
        .select_related("application")
        .order_by("due_on", "id")[:15]
    )
    for c in owned:
        items.append(
            WorkItem(
                action=_("Report how a condition is met"),
                subject=_about(c.application),
                url=f"/reviews/conditions/{c.pk}/",
                since=c.created_at,
                due=c.due_on,
            )
        )
    return items
