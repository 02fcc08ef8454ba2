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
