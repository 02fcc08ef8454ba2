"""Home-page panels: the panel's queue, the chair's recommendations, a reporter's reports."""

from django.utils.translation import gettext as _

from solidarity.accounts.home import Panel
from solidarity.accounts.roles import Role

from . import selectors


def officer_panel(user):
    if not user.has_role(Role.HARM_OFFICER):
        return None
    overdue = list(selectors.harm_report_queue(open_only=True, overdue_only=True)[:5])
    return Panel(
        title=_("Harm reports"),
        template="harms/panel_officer.html",
        context={"counts": selectors.queue_counts(), "overdue": overdue},
        order=20,
    )


def chair_panel(user):
    if not user.has_role(Role.CHAIR):
        return None
    return Panel(
        title=_("Suspension recommendations"),
        template="harms/panel_chair.html",
        context={"recommendations": list(selectors.suspension_recommendations_open()[:10])},
        order=30,
    )


def reporter_panel(user):
    reports = list(selectors.harm_reports_of(user)[:5])
    if not reports:
        return None
    return Panel(
        title=_("My harm reports"),
        template="harms/panel_mine.html",
        context={"reports": reports},
        order=90,
    )


def custodian_requests_panel(user):
    if not user.has_role(Role.CUSTODIAN):
        return None
    requests = list(selectors.data_requests_for_custodian(user).filter(state="accepted")[:10])
    if not requests:
        return None
    return Panel(
        title=_("Data requests from the harm panel"),
        template="harms/panel_custodian.html",
        context={"requests": requests},
        order=45,
    )


def work(user) -> list:
    """What waits for this user in harm reporting, for the home's "Waiting for you"."""
    from solidarity.accounts.home import WorkItem

    from .models import RedressAction, RedressState
    from .rules import panel_task

    items = []
    if user.has_role(Role.HARM_OFFICER):
        for report in selectors.harm_report_queue(open_only=True)[:20]:
            items.append(
                WorkItem(
                    action=panel_task(report),
                    subject=report.reference,
                    url=f"/harms/{report.pk}/",
                    since=report.received_at,
                    due=report.next_due_at,
                )
            )
        accepted = (
            RedressAction.objects.filter(state=RedressState.ACCEPTED)
            .select_related("report")
            .order_by("responded_at", "id")[:15]
        )
        for action in accepted:
            items.append(
                WorkItem(
                    action=_("Deliver the accepted redress: %(kind)s")
                    % {"kind": action.get_kind_display()},
                    subject=action.report.reference,
                    url=f"/harms/{action.report_id}/",
                    since=action.responded_at,
                )
            )
    if user.has_role(Role.CHAIR):
        for rec in selectors.suspension_recommendations_open()[:15]:
            items.append(
                WorkItem(
                    action=_("Decide on a recommended suspension"),
                    subject=f"{rec.application.reference} · {rec.application.title}",
                    url="/harms/recommendations/",
                    since=rec.created_at,
                )
            )
    if user.has_role(Role.CHAIR):
        from .lessons import harm_reviews_open

        for review in harm_reviews_open()[:15]:
            items.append(
                WorkItem(
                    action=_("Review a project after harm reports about %(what)s")
                    % {"what": review.scope_label},
                    subject=f"{review.application.reference} · {review.application.title}",
                    url="/harms/recommendations/",
                    since=review.opened_at,
                )
            )
    if user.has_role(Role.CUSTODIAN):
        for action in selectors.data_requests_for_custodian(user).filter(
            state=RedressState.ACCEPTED
        )[:15]:
            items.append(
                WorkItem(
                    action=_("Carry out a %(kind)s") % {"kind": action.get_kind_display().lower()},
                    subject=action.dataset.title if action.dataset_id else "",
                    url=f"/harms/redress/{action.pk}/",
                    since=action.responded_at,
                )
            )
    return items
