"""Home-page panels: researchers' applications, the secretariat's queue, custodians' requests."""

import datetime

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from solidarity.accounts.home import Panel
from solidarity.accounts.roles import Role

from . import rules, selectors


def researcher_panel(user):
    if not user.has_role(Role.RESEARCHER):
        return None
    rows = [(a, *selectors.awaited(a)) for a in selectors.my_applications(user)[:8]]
    return Panel(
        title=_("Your applications"),
        template="applications/panel_researcher.html",
        context={"rows": rows},
        order=10,
    )


def secretariat_panel(user):
    if not user.has_role(Role.SECRETARIAT):
        return None
    return Panel(
        title=_("Application queue"),
        template="applications/panel_secretariat.html",
        context={"counts": selectors.queue_counts(user)},
        order=20,
    )


def custodian_panel(user):
    if not user.has_role(Role.CUSTODIAN):
        return None
    pending = list(selectors.custodian_requests(user, state="pending")[:8])
    return Panel(
        title=_("Data requests awaiting your decision"),
        template="applications/panel_custodian.html",
        context={"pending": pending},
        order=30,
    )


def _due(submitted_at, days: int) -> datetime.date | None:
    """The service level's due date: ``days`` calendar days after submission (settings)."""
    if submitted_at is None:
        return None
    return timezone.localtime(submitted_at).date() + datetime.timedelta(days=days)


def _about(application) -> str:
    return f"{application.reference or _('draft')} · {application.title}"


def work(user) -> list:
    """What waits for this user in the applications app, for the home's "Waiting for you"."""
    from solidarity.accounts.home import WorkItem

    from .models import ApplicationState as S

    items = []
    if user.has_role(Role.RESEARCHER):
        from django.db.models import Exists, OuterRef, Q

        from .team import ApplicationMember, MemberRole, MemberState

        # The applicant and editors answer; a viewer only reads.
        answers = Q(applicant=user) | Exists(
            ApplicationMember.objects.filter(
                application_id=OuterRef("pk"),
                user_id=user.pk,
                state=MemberState.ACCEPTED,
                role=MemberRole.EDITOR,
            )
        )
        revisions = selectors.my_applications(user).filter(answers, state=S.REVISION_REQUESTED)
        for a in revisions[:10]:
            items.append(
                WorkItem(
                    action=_("Answer the revision request"),
                    subject=_about(a),
                    url=f"/applications/{a.pk}/",
                    since=a.updated_at,
                )
            )
    if user.has_role(Role.SECRETARIAT):
        submitted = (
            selectors.applications_visible_to(user)
            .filter(state=S.SUBMITTED)
            .order_by("submitted_at", "id")[:15]
        )
        for a in submitted:
            items.append(
                WorkItem(
                    action=_("Screen the submission"),
                    subject=_about(a),
                    url=f"/applications/{a.pk}/",
                    since=a.submitted_at,
                    due=_due(a.submitted_at, settings.SCREENING_DAYS),
                )
            )
    if user.has_role(Role.CUSTODIAN):
        # What the rulebook lets a custodian decide on (``rules.DATASET_REQUEST``).
        pending = selectors.custodian_requests(user, state="pending").filter(
            application__state__in=rules.REQUEST_OPEN_STATES
        )[:15]
        for r in pending:
            items.append(
                WorkItem(
                    action=_("Decide on access to %(dataset)s") % {"dataset": r.dataset.title},
                    subject=_about(r.application),
                    url=f"/applications/requests/{r.pk}/",
                    since=r.application.submitted_at,
                    due=_due(r.application.submitted_at, settings.CUSTODIAN_DECISION_DAYS),
                )
            )
    return items
