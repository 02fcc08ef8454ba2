"""Home-page panels: researchers' applications, the secretariat's queue, custodians' requests."""

from django.utils.translation import gettext as _

from solidarity.accounts.home import Panel
from solidarity.accounts.roles import Role

from . import selectors


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
